/**
 * Hono environment shared by the app, middleware and routes.
 */
import type { RequestMeta } from "../core/chat/request_meta.ts";
import type { Caller } from "../core/keys/authenticate.ts";
import type { GatewayError } from "../core/errors.ts";
import type { FormatName } from "../core/formats/registry.ts";

/** Per-request variables set by middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    /** Filled in by the chat service; read by the access log. */
    meta: RequestMeta;
    /** Who is calling, set by the authentication middleware. */
    caller?: Caller;
    /** The error code of a failed request, set by the error handler. */
    errorCode?: string;
    /** The envelope errors of this request are written in (default: OpenAI's). */
    errorFormat?: FormatName;
    /** A route's own bounded label for logs and metrics (default: the matched pattern). */
    routeLabel?: string;
    /** Set by streaming routes: resolves (to the error, if any) when the stream ends. */
    streamEnded?: Promise<GatewayError | undefined>;
  };
}
