/**
 * Hono environment shared by the app, middleware and routes.
 */
import type { RequestMeta } from "../core/chat/service.ts";

/** Per-request variables set by middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    /** Filled in by the chat service; read by the access log. */
    meta: RequestMeta;
    /** The error code of a failed request, set by the error handler. */
    errorCode?: string;
    /** Set by streaming routes: resolves (to an error code, if any) when the stream ends. */
    streamEnded?: Promise<string | undefined>;
  };
}
