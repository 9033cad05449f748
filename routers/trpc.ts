/**
 * tRPC, initialised once: superjson, error mapping from {@link GatewayError} to `TRPCError`
 * (the gateway's `type`/`code`/`param` travel in `error.data.gateway`, never a stack trace),
 * and the authed procedure every route uses.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { type TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import superjson from "superjson";
import { z } from "zod";
import { type ErrorKind, errorType, GatewayError } from "../core/errors.ts";
import { formatPath } from "../core/formats/validate.ts";
import { adminOnlyError, recordCaller } from "../core/keys/authenticate.ts";
import type { Context } from "./context.ts";

const TRPC_CODES: Record<ErrorKind, TRPC_ERROR_CODE_KEY> = {
  invalid_request: "BAD_REQUEST",
  auth: "UNAUTHORIZED",
  permission: "FORBIDDEN",
  not_found: "NOT_FOUND",
  method_not_allowed: "METHOD_NOT_SUPPORTED",
  too_large: "PAYLOAD_TOO_LARGE",
  unsupported_media_type: "UNSUPPORTED_MEDIA_TYPE",
  rate_limited: "TOO_MANY_REQUESTS",
  upstream: "BAD_GATEWAY",
  unavailable: "SERVICE_UNAVAILABLE",
  timeout: "GATEWAY_TIMEOUT",
  internal: "INTERNAL_SERVER_ERROR",
};

/** The gateway error details carried in `error.data.gateway`. */
export interface GatewayErrorData {
  type: string;
  code: string;
  param: string | null;
}

/** Converts a GatewayError into a TRPCError whose cause is the GatewayError. */
export function toTRPCError(error: GatewayError): TRPCError {
  return new TRPCError({ code: TRPC_CODES[error.kind], message: error.message, cause: error });
}

function gatewayData(error: TRPCError): GatewayErrorData {
  const cause = error.cause;
  if (cause instanceof GatewayError) {
    return { type: errorType(cause), code: cause.code, param: cause.param };
  }
  if (cause instanceof z.ZodError) {
    const path = formatPath(cause.issues[0]?.path ?? []);
    return {
      type: "invalid_request_error",
      code: "invalid_value",
      param: path === "" ? null : path,
    };
  }
  if (error.code === "BAD_REQUEST" || error.code === "PARSE_ERROR") {
    return { type: "invalid_request_error", code: "invalid_value", param: null };
  }
  if (error.code === "UNSUPPORTED_MEDIA_TYPE") {
    return { type: "invalid_request_error", code: "unsupported_media_type", param: null };
  }
  if (error.code === "NOT_FOUND") {
    return { type: "not_found_error", code: "not_found", param: null };
  }
  if (error.code === "UNAUTHORIZED") {
    return { type: "authentication_error", code: "invalid_api_key", param: null };
  }
  if (error.code === "FORBIDDEN") {
    return { type: "permission_error", code: "permission_denied", param: null };
  }
  return { type: "api_error", code: "internal_error", param: null };
}

/** The default shape tRPC gives an error (`data.stack` aside). */
interface DefaultShape {
  message: string;
  code: number;
  data: { code: TRPC_ERROR_CODE_KEY; httpStatus: number; path?: string; stack?: string };
}

/** The gateway's error shape: the code of the GatewayError cause (errors thrown while a stream
 * is read arrive wrapped as INTERNAL_SERVER_ERROR), its HTTP status, the
 * gateway's `type`/`code`/`param`, no stack and no internal message. */
function gatewayShape(shape: DefaultShape, error: TRPCError) {
  const { stack: _stack, ...data } = shape.data;
  const cause = error.cause;
  const key = cause instanceof GatewayError ? TRPC_CODES[cause.kind] : data.code;
  const internal = key === "INTERNAL_SERVER_ERROR" && !(cause instanceof GatewayError);
  const httpStatus = key === data.code
    ? data.httpStatus
    : getHTTPStatusCodeFromError(new TRPCError({ code: key }));
  return {
    ...shape,
    code: TRPC_ERROR_CODES_BY_KEY[key],
    message: internal ? "The gateway failed to process the request." : shape.message,
    data: { ...data, code: key, httpStatus, gateway: gatewayData(error) },
  };
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter: ({ shape, error }) => gatewayShape(shape, error),
});

/**
 * The body and status tRPC answers a single call to `path` with when it fails with `error`, for
 * refusing a call before tRPC runs it (an unauthenticated `chat.stream` gets its 401 before any
 * stream starts).
 *
 * @example
 * trpcErrorReply(toTRPCError(new GatewayError("auth", "no key")), "chat.stream").status; // 401
 */
export function trpcErrorReply(
  error: TRPCError,
  path: string,
): { status: number; body: { error: unknown } } {
  const httpStatus = getHTTPStatusCodeFromError(error);
  const shape = gatewayShape({
    message: error.message,
    code: TRPC_ERROR_CODES_BY_KEY[error.code],
    data: { code: error.code, httpStatus, path },
  }, error);
  return { status: httpStatus, body: { error: superjson.serialize(shape) } };
}

/** Builds routers. */
export const router = t.router;

/** A procedure whose GatewayErrors become TRPCErrors with the matching code. */
export const publicProcedure = t.procedure.use(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof GatewayError) {
    throw toTRPCError(result.error.cause);
  }
  return result;
});

/** The UNAUTHORIZED error of a call without a valid client key. */
export function missingKeyError(): TRPCError {
  return toTRPCError(
    new GatewayError("auth", "Missing or invalid API key: pass apiKey to createGatewayClient."),
  );
}

/** A procedure that requires a valid client key (`Authorization` or `x-api-key` header); the
 * caller's identity and model allowlist go into the request's meta. */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const caller = ctx.caller ?? await ctx.authenticate(ctx.apiKey);
  if (caller === undefined) throw missingKeyError();
  recordCaller(ctx.meta, caller);
  return next({ ctx: { caller } });
});

/** A procedure only the admin key may call (403 `permission_denied` for any other key). */
export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (!ctx.caller.admin) throw toTRPCError(adminOnlyError());
  return next();
});
