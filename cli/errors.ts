/**
 * CLI errors: one clear sentence with the fix and an exit status. {@link explainError} turns
 * whatever the tRPC client threw (gateway errors with `data.gateway`, connection failures) into
 * a {@link CliError}.
 */

/** An error the CLI reports as one line, exiting with `exitCode`. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = "CliError";
  }
}

/** A command-line usage mistake (exit status 2). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = "UsageError";
  }
}

/** What the CLI knew when the error happened, to name things in the message. */
export interface ErrorContext {
  url: string;
  model?: string;
  apiKeyGiven?: boolean;
}

interface GatewayData {
  type?: string;
  code?: string;
  param?: string | null;
}

function gatewayData(error: unknown): { data?: GatewayData; httpStatus?: number } {
  if (typeof error !== "object" || error === null) return {};
  const data = (error as { data?: unknown }).data;
  if (typeof data !== "object" || data === null) return {};
  const d = data as { gateway?: GatewayData; httpStatus?: number; code?: string };
  return { data: d.gateway, httpStatus: d.httpStatus };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isConnectionFailure(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (e instanceof TypeError) return true;
    if (typeof Event !== "undefined" && e instanceof Event) return true;
    if (e instanceof Error) {
      if (
        e.name === "ConnectionRefused" || /connect|refused|fetch failed|network/i.test(e.message)
      ) {
        return true;
      }
      e = e.cause;
    } else break;
  }
  return false;
}

const trimDot = (s: string) => s.trim().replace(/[.\s]+$/, "");

/**
 * Explains an error thrown by a gateway call in one sentence that says how to fix it.
 *
 * @example
 * explainError(new TypeError("fetch failed"), { url: "http://x" }).message;
 * // "Cannot reach the gateway at http://x: start it with `deno task start` …"
 */
export function explainError(error: unknown, ctx: ErrorContext): CliError {
  if (error instanceof CliError) return error;
  const { data, httpStatus } = gatewayData(error);
  const model = ctx.model ?? "(none)";
  const detail = trimDot(messageOf(error));
  if (data?.code !== undefined) {
    switch (data.code) {
      case "invalid_api_key":
        return new CliError(
          ctx.apiKeyGiven
            ? `The gateway at ${ctx.url} rejected the API key (401): pass a valid one with --api-key or set GATEWAY_API_KEY to one of the gateway's API_KEY keys.`
            : `The gateway at ${ctx.url} requires an API key (401): pass --api-key or set GATEWAY_API_KEY (or API_KEY in .env) to one of its keys.`,
        );
      case "model_not_found":
        return new CliError(
          `The model '${model}' does not exist on the gateway (404): run \`deno task cli models\` to list the available models and choose one with --model.`,
        );
      case "rate_limit_exceeded":
        return new CliError(
          `The provider is rate limiting requests for '${model}' (429): wait a moment and try again, or use another model.`,
        );
      case "provider_not_configured":
        return new CliError(
          // The gateway's message (written by the provider kind) says which credentials.
          `The provider serving '${model}' is not configured on the gateway (503): set its credentials (${detail}) in the gateway's environment and restart it.`,
        );
      case "upstream_unavailable":
        return new CliError(
          `The provider serving '${model}' is unavailable (503): try again later or use another model.`,
        );
      case "upstream_timeout":
        return new CliError(
          `The provider serving '${model}' timed out (504): try again, or raise UPSTREAM_TIMEOUT_MS on the gateway.`,
        );
      case "upstream_error":
        return new CliError(
          `The provider serving '${model}' failed (502: ${detail}): try again later or check the gateway's logs.`,
        );
      case "upstream_access_denied":
        return new CliError(
          `The provider denied access to '${model}' (403): check the gateway's provider credentials and model access.`,
        );
      case "internal_error":
        return new CliError(
          `The gateway failed with an internal error (500): check the gateway's logs and try again.`,
        );
      case "request_too_large":
        return new CliError(
          `The request is too large for the gateway (413): start a new conversation with /clear or raise MAX_REQUEST_BYTES on the gateway.`,
        );
      default: {
        const param = data.param ? ` (${data.param})` : "";
        const status = httpStatus !== undefined ? `${httpStatus} ` : "";
        return new CliError(
          `The gateway rejected the request (${status}${data.code}${param}): ${detail}.`,
        );
      }
    }
  }
  if (isConnectionFailure(error)) {
    return new CliError(
      `Cannot reach the gateway at ${ctx.url}: start it with \`deno task start\`, or point the CLI at it with --url or GATEWAY_URL.`,
    );
  }
  return new CliError(
    `Unexpected answer from ${ctx.url} (${detail}): check that --url or GATEWAY_URL points at an LLM gateway.`,
  );
}
