/**
 * The gateway's durable state, behind one interface with two backends: embedded SQLite (a file
 * under `DATA_DIR`, the default) and PostgreSQL (`DATABASE_URL`, shared by many instances).
 * Both run their versioned migrations when opened and pass one contract suite
 * (`tests/integration/store_contract_test.ts`). Stored Responses API objects live here now;
 * virtual keys and usage records come next, as further tables behind further repositories.
 */

/** A JSON object as stored (and returned unchanged). */
export type JsonObject = Record<string, unknown>;

/** One stored Responses API object and what continuing it needs. */
export interface StoredResponse {
  /** The response id (`resp_…`), unique. */
  id: string;
  /** Unix seconds. */
  createdAt: number;
  /** Unix seconds; from then on the record is gone for every read. */
  expiresAt: number;
  /** The model as the client asked for it. */
  model: string;
  /** The response this one continued, if any. */
  previousResponseId?: string;
  /** The Response object exactly as the client got it. */
  response: JsonObject;
  /** This request's own input items, in order, each with its `id` (what `input_items` lists). */
  inputItems: JsonObject[];
  /** The items before this request's input (the previous responses' inputs and outputs,
   * flattened), so continuing a conversation is one read. */
  context: JsonObject[];
}

/** Stored Responses API objects. */
export interface ResponseRepository {
  /** Inserts or replaces the record with this id. */
  put(record: StoredResponse): Promise<void>;
  /** The record, or undefined when there is none or it expired at `now` (unix seconds). */
  get(id: string, now: number): Promise<StoredResponse | undefined>;
  /** Removes the record; false when there was none (or it had expired). */
  delete(id: string, now: number): Promise<boolean>;
  /** Removes every record expired at `now`; returns how many went. */
  purgeExpired(now: number): Promise<number>;
}

/** The state store: one per process, opened at start, closed at shutdown. */
export interface Store {
  /** Which backend this is (`/health` and the start-up log say it). */
  readonly backend: "sqlite" | "postgres";
  readonly responses: ResponseRepository;
  /** Closes connections and files; later calls reject. */
  close(): Promise<void>;
}
