/**
 * The OpenAI provider's HTTP calls: one `fetch` with the headers a call needs (the key, the
 * instance's extra headers). The URL scheme is the caller's ({@link createTransport}): OpenAI's
 * `{base_url}{path}` here, Azure's deployments in `azure_openai/transport.ts`. The
 * `openai` SDK sends the same request through its general pipeline (options merging, header
 * objects, idempotency keys, URL re-parsing, per-request abort wiring), which measured a quarter
 * of the gateway's CPU per OpenAI JSON request; the gateway does its own retries, deadlines and
 * body reading, so it keeps only what a call needs. Failures are the SDK's own error classes
 * (`APIError.generate` for statuses, `APIConnectionError`, `APIUserAbortError`), so the status
 * mapping in `errors.ts` is the SDK's and does not change.
 */
import { APIConnectionError, APIError, APIUserAbortError } from "openai";
import { isAbortError } from "../../errors.ts";

/** Where and how to call an OpenAI-compatible upstream. */
export interface OpenAITransportOptions {
  apiKey: string;
  /** The API root, e.g. `https://api.openai.com/v1` (no trailing slash). */
  baseURL: string;
  /** Sent as `OpenAI-Organization` and `OpenAI-Project` when given. */
  organization?: string;
  project?: string;
  /** Extra headers sent with every request (names lower-case; the key's headers win). */
  headers?: Record<string, string>;
  /** The `fetch` to use (a pooled client in production, the global one by default). */
  fetch?: typeof fetch;
}

/** What {@link createTransport} needs: where each call goes and the headers every call sends. */
export interface TransportTarget {
  /** The URL of a call to `path` (e.g. `/chat/completions`); `body` is the POST body, if any. */
  urlOf(path: string, body?: unknown): string;
  /** Headers sent with every call (credentials included). */
  headers: Record<string, string>;
  /** The `fetch` to use; the global one by default. */
  fetch?: typeof fetch;
}

/** The calls the provider makes. */
export interface OpenAITransport {
  /** POSTs a JSON body to `path` (e.g. `/chat/completions`); resolves with a 2xx response. */
  post(path: string, body: unknown, signal: AbortSignal): Promise<Response>;
  /** GETs `path` (e.g. `/models`); resolves with a 2xx response. */
  get(path: string, signal: AbortSignal): Promise<Response>;
}

/** Longest error body read from an upstream (its message is all the gateway uses). */
const MAX_ERROR_BYTES = 64 * 1024;

async function errorText(response: Response): Promise<string> {
  try {
    const bytes = new Uint8Array(await response.arrayBuffer());
    return new TextDecoder().decode(bytes.subarray(0, MAX_ERROR_BYTES));
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** A non-2xx answer as the SDK would report it. */
async function statusError(response: Response): Promise<APIError> {
  const text = await errorText(response);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const body = typeof json === "object" && json !== null
    ? ((json as { error?: unknown }).error == null ? { error: json } : json)
    : undefined;
  return APIError.generate(
    response.status,
    body as Record<string, unknown> | undefined,
    body === undefined ? text : undefined,
    response.headers,
  );
}

/**
 * Creates a transport over any URL scheme (OpenAI's `{base}{path}`, Azure's deployments): one
 * fetch per call, non-2xx answers and network failures as the SDK's error classes.
 *
 * @example
 * const transport = createTransport({ urlOf: (path) => base + path, headers: { authorization: "Bearer sk-…" } });
 */
export function createTransport(target: TransportTarget): OpenAITransport {
  const call = target.fetch ?? fetch;
  const send = async (init: RequestInit & { signal: AbortSignal }, url: string) => {
    let response: Response;
    try {
      response = await call(url, init);
    } catch (error) {
      if (init.signal.aborted || isAbortError(error)) throw new APIUserAbortError();
      throw new APIConnectionError({
        message: error instanceof Error ? error.message : "Connection error.",
        cause: error instanceof Error ? error : undefined,
      });
    }
    if (!response.ok) throw await statusError(response);
    return response;
  };
  const { headers } = target;
  return {
    post: (path, body, signal) =>
      send({
        method: "POST",
        headers: { ...headers, "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(body),
        signal,
      }, target.urlOf(path, body)),
    get: (path, signal) =>
      send(
        { method: "GET", headers: { ...headers, accept: "application/json" }, signal },
        target.urlOf(path),
      ),
  };
}

/**
 * Creates the transport of an OpenAI-compatible upstream: `{baseURL}{path}`, the key as a bearer
 * token, organization and project headers, the instance's extra headers.
 *
 * @example
 * const transport = createOpenAITransport({ apiKey: "sk-…", baseURL: "https://api.openai.com/v1" });
 * const response = await transport.post("/chat/completions", body, signal);
 */
export function createOpenAITransport(options: OpenAITransportOptions): OpenAITransport {
  return createTransport({
    urlOf: (path) => options.baseURL + path,
    headers: {
      ...options.headers,
      authorization: `Bearer ${options.apiKey}`,
      ...(options.organization ? { "openai-organization": options.organization } : {}),
      ...(options.project ? { "openai-project": options.project } : {}),
    },
    fetch: options.fetch,
  });
}
