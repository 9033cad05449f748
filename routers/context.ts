/**
 * The tRPC request context: services plus the caller's presented key.
 */
import type { ChatService } from "../core/chat/service.ts";
import type { EmbeddingsService } from "../core/embeddings/service.ts";
import type { RequestMeta } from "../core/chat/request_meta.ts";
import type { Authenticator, Caller } from "../core/keys/authenticate.ts";
import type { KeyAdmin } from "../core/keys/admin.ts";
import type { FileStore } from "../core/files/store.ts";
import type { HealthReport } from "../core/health.ts";
import type { ResponsesHooks } from "../core/responses/prepare.ts";
import type { ResponseRepository, UsageRepository } from "../core/store/store.ts";
import type { ReloadResult } from "./config.ts";
import type { SpendTracker } from "../core/usage/budget.ts";

/** Services the routers use; built once by `server/app.ts`. */
export interface RouterDeps {
  chat: ChatService;
  /** `embeddings.create`; without it the procedure is a NOT_FOUND. */
  embeddings?: EmbeddingsService;
  health: () => HealthReport;
  /** Resolves the presented key to its caller (undefined: refused). */
  authenticate: Authenticator;
  /** `admin.keys.*`; without it (no state store) those procedures are a NOT_FOUND. */
  keyAdmin?: KeyAdmin;
  /** `admin.usage`; without it (no state store) that procedure is a NOT_FOUND. */
  usage?: UsageRepository;
  /** Uploaded files (`files.*`). */
  files: FileStore;
  /** Stored responses' hooks for `responses.create`/`responses.stream` (empty: none stored). */
  responses?: ResponsesHooks;
  /** Stored responses for `responses.get`/`delete`/`inputItems`; undefined without a store. */
  storedResponses?: ResponseRepository;
  /** Aborted when the shutdown grace period is over: open `chat.stream` streams end with a
   * `server_shutting_down` error. */
  shutdown: AbortSignal;
  /** `config.reload`: reloads the config file in every worker, resolving with this worker's
   * outcome; without it the procedure is a 404 `no_config_file`. */
  reload?: () => Promise<ReloadResult>;
  /** What each virtual key spent in its budget period (`me`). */
  spend?: SpendTracker;
}

/** Per-request context. */
export interface Context extends RouterDeps {
  /** The key from the `Authorization`/`x-api-key` header. */
  apiKey: string | null;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** Filled in by the chat service for the access log. */
  meta: RequestMeta;
  /** Set by the authed procedures. */
  caller?: Caller;
}
