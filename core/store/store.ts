/**
 * The gateway's durable state, behind one interface with two backends: embedded SQLite (a file
 * under `DATA_DIR`, the default) and PostgreSQL (`DATABASE_URL`, shared by many instances).
 * Both run their versioned migrations when opened and pass one contract suite
 * (`tests/integration/store_contract_test.ts`). Stored Responses API objects and virtual keys
 * live here, and one usage record per request (`usage`, summed by the usage API).
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

/** A virtual key's settings: the admin API's fields (SPEC §9), absent when not set. */
export interface VirtualKeySettings {
  /** Model ids or aliases the key may use, as globs (`gpt-4o*`, `bedrock/*`); absent: any. */
  models?: string[];
  rpmLimit?: number;
  tpmLimit?: number;
  maxParallel?: number;
  maxBudgetUsd?: number;
  budgetPeriod?: "daily" | "weekly" | "monthly";
  /** Unix seconds; from then on the key is refused. */
  expiresAt?: number;
  /** The admin's own JSON object, returned as stored. */
  metadata?: JsonObject;
}

/** One stored virtual key. The key itself is never stored: only its SHA-256 hash and the short
 * prefix shown in listings. */
export interface VirtualKeyRecord extends VirtualKeySettings {
  /** `key_…`, unique. */
  id: string;
  /** Lower-case hex SHA-256 of the whole key, unique. */
  hash: string;
  /** The key's first characters (`sk-gw-AbCd`), for people to recognise it. */
  prefix: string;
  name: string;
  team?: string;
  enabled: boolean;
  /** Unix seconds. */
  createdAt: number;
  /** Unix milliseconds of the last write (create, update, revoke), by the database's clock
   * where there is one: what {@link KeyRepository.changedSince} compares. */
  updatedAt: number;
  /** Unix seconds of the revocation; a revoked key is gone for every read but
   * {@link KeyRepository.changedSince}. */
  revokedAt?: number;
}

/** What an update changes: a field present replaces the stored one; `null` removes an optional
 * one. */
export type VirtualKeyChanges =
  & {
    [K in keyof VirtualKeySettings]?: VirtualKeySettings[K] | null;
  }
  & { name?: string; team?: string | null; enabled?: boolean };

/** One page of keys, by creation (then id). */
export interface KeyPage {
  data: VirtualKeyRecord[];
  hasMore: boolean;
}

/** Stored virtual keys. Revocation is a soft delete (`revokedAt`), so the in-process caches of
 * every instance see it in their next {@link KeyRepository.changedSince}. */
export interface KeyRepository {
  /** Inserts a new key; rejects when the id or hash exists. `updatedAt` is set by the store. */
  insert(record: Omit<VirtualKeyRecord, "updatedAt" | "revokedAt">): Promise<VirtualKeyRecord>;
  /** The key with this id, unless there is none or it was revoked. */
  get(id: string): Promise<VirtualKeyRecord | undefined>;
  /** A page of keys that are not revoked, in creation order (`asc`) or newest first (`desc`),
   * starting after the key with id `after` (when given). */
  list(options: { limit: number; order: "asc" | "desc"; after?: string }): Promise<KeyPage>;
  /** Applies `changes`; the updated key, or undefined when there is none or it was revoked. */
  update(id: string, changes: VirtualKeyChanges): Promise<VirtualKeyRecord | undefined>;
  /** Revokes the key at `now` (unix seconds); false when there is none or it was revoked. */
  revoke(id: string, now: number): Promise<boolean>;
  /** Every key (revoked ones included) written at or after `sinceMs` (unix ms; 0 for all), and
   * the database's clock reading taken before the read (the next call's lower bound, minus an
   * overlap for writes that committed late). */
  changedSince(sinceMs: number): Promise<{ keys: VirtualKeyRecord[]; nowMs: number }>;
}

/** One request's usage record (issue 15), as `core/usage/record.ts` builds it and the `usage`
 * table keeps it. */
export interface UsageRecord {
  /** ISO 8601 (stored as unix milliseconds). */
  time: string;
  request_id: string;
  key_id: string | null;
  team: string | null;
  route: string;
  /** The model id the client asked for (an alias name, or a model id). */
  model: string | null;
  provider: string | null;
  deployment: string | null;
  input_tokens: number;
  cached_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  /** USD; null when the model's price is unknown (never a made-up zero). */
  cost_usd: number | null;
  latency_ms: number;
  /** Time to the first byte from the upstream (streams), or the whole upstream answer. */
  ttft_ms: number | null;
  status: number;
  error_code: string | null;
}

/** What usage can be grouped by. `day` is the UTC calendar day (`YYYY-MM-DD`). */
export const USAGE_GROUPS = ["key", "team", "model", "provider", "day"] as const;

/** A grouping of {@link USAGE_GROUPS}. */
export type UsageGroupBy = typeof USAGE_GROUPS[number];

/** Which records a summary covers, and how it groups them. */
export interface UsageQuery {
  /** Unix milliseconds, inclusive. */
  from?: number;
  /** Unix milliseconds, exclusive. */
  to?: number;
  keyId?: string;
  team?: string;
  /** The model as the client asked for it. */
  model?: string;
  /** Absent: one group of totals (`group: null`). */
  groupBy?: UsageGroupBy;
}

/** The sums of one group of usage records. */
export interface UsageGroup {
  /** The key id, team, model, provider or day (`YYYY-MM-DD`, UTC); null for the totals, or for
   * records without one (no virtual key, no team). */
  group: string | null;
  requests: number;
  /** Records with status >= 400. */
  errors: number;
  input_tokens: number;
  cached_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  /** The sum of the known costs (USD). */
  cost_usd: number;
  /** Records whose cost is unknown (`cost_usd` null): counted here, never as zero cost. */
  unpriced_requests: number;
}

/** Stored usage records: appended in batches, read as sums. */
export interface UsageRepository {
  /** Appends the records in one transaction (all or none). */
  insert(records: readonly UsageRecord[]): Promise<void>;
  /** The sums of the records `query` selects, by its grouping: by cost (highest first), then
   * group; by day, in day order. No records: an empty list (grouped) or one group of zeros. */
  summarize(query: UsageQuery): Promise<UsageGroup[]>;
}

/** The state store: one per process, opened at start, closed at shutdown. */
export interface Store {
  /** Which backend this is (`/health` and the start-up log say it). */
  readonly backend: "sqlite" | "postgres";
  readonly responses: ResponseRepository;
  readonly keys: KeyRepository;
  readonly usage: UsageRepository;
  /** Closes connections and files; later calls reject. */
  close(): Promise<void>;
}
