/**
 * Why an upstream could not be reached, in words a person can act on: the host (never a path,
 * query or credentials) and the cause — refused, DNS, TLS, reset, timeout — read from the error
 * and its causes, as `fetch` (Deno) and `node:http` (the AWS SDK) report them.
 */

/** What is known of a failed connection. */
export interface ConnectionFailure {
  /** `host[:port]`, when the error names it. */
  host?: string;
  /** A short cause: `connection refused`, `DNS lookup failed`, … */
  cause: string;
}

const CODES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection reset",
  ENOTFOUND: "DNS lookup failed",
  EAI_AGAIN: "DNS lookup failed",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
};

const MESSAGES: Array<[RegExp, string]> = [
  [/connection refused|ECONNREFUSED/i, "connection refused"],
  [
    /dns error|failed to lookup|name or service not known|ENOTFOUND|EAI_AGAIN/i,
    "DNS lookup failed",
  ],
  [/certificate|tls|ssl|handshake|corrupt message/i, "TLS handshake failed"],
  [/connection reset|ECONNRESET|broken pipe|EPIPE/i, "connection reset"],
  [/timed? ?out|ETIMEDOUT/i, "connection timed out"],
  [/unreachable/i, "host unreachable"],
  [/are blocked/i, "port blocked by the runtime"],
];

/** The error and its causes, outermost first (at most 6). */
function chain(error: unknown): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (let e = error; typeof e === "object" && e !== null && out.length < 6;) {
    out.push(e as Record<string, unknown>);
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}

function hostOf(errors: Array<Record<string, unknown>>): string | undefined {
  for (const e of errors) {
    const url = /\burl \((https?:\/\/[^)\s]+)\)/.exec(String(e.message ?? ""))?.[1];
    if (url !== undefined && URL.canParse(url)) return new URL(url).host;
    const name = e.hostname ?? e.host ?? e.address;
    if (typeof name === "string" && name !== "") {
      return typeof e.port === "number" ? `${name}:${e.port}` : name;
    }
  }
  return undefined;
}

/**
 * Describes a connection failure.
 *
 * @example
 * describeConnectionFailure(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED", address: "127.0.0.1", port: 9 }));
 * // { host: "127.0.0.1:9", cause: "connection refused" }
 */
export function describeConnectionFailure(error: unknown): ConnectionFailure {
  const errors = chain(error);
  let cause: string | undefined;
  for (const e of errors) {
    if (typeof e.code === "string" && CODES[e.code] !== undefined) {
      cause = CODES[e.code];
      break;
    }
  }
  if (cause === undefined) {
    const text = errors.map((e) => String(e.message ?? "")).join(" | ");
    cause = MESSAGES.find(([pattern]) => pattern.test(text))?.[1] ?? "network error";
  }
  return { host: hostOf(errors), cause };
}

/**
 * The client-facing sentence for an unreachable upstream.
 *
 * @example
 * unreachableMessage("The OpenAI upstream", error); // "The OpenAI upstream at api.openai.com could not be reached (DNS lookup failed)."
 */
export function unreachableMessage(label: string, error: unknown): string {
  const { host, cause } = describeConnectionFailure(error);
  return `${label}${host === undefined ? "" : ` at ${host}`} could not be reached (${cause}).`;
}
