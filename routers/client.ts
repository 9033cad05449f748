/**
 * A typed tRPC client for the gateway that works from Deno, Node and browsers: batched POSTs for
 * queries and mutations, and `httpBatchStreamLink` (one POST per call, the input in its body,
 * JSON lines back) for the streaming procedures such as `chat.stream`. Inputs travel in request
 * bodies and the key in the `Authorization` header: never in a URL.
 *
 * @example
 * const gw = createGatewayClient({ url: "http://127.0.0.1:8000", apiKey: "k" });
 * const models = await gw.models.list.query();
 * for await (const chunk of await gw.chat.stream.mutate({ model: "mock-echo", messages })) {}
 */
import { createTRPCClient, httpBatchLink, httpBatchStreamLink, splitLink } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "./app_router.ts";
import { STREAMING_PROCEDURES } from "./streaming.ts";

/** Options of {@link createGatewayClient}. */
export interface GatewayClientOptions {
  /** The gateway's base URL, e.g. `http://127.0.0.1:8000` (the client appends `/trpc`). */
  url: string;
  /** A client key, sent as `Authorization: Bearer`. */
  apiKey?: string;
  /** A fetch implementation (defaults to the global one), for every call. */
  fetch?: typeof fetch;
}

/** Creates the typed client. */
export function createGatewayClient(options: GatewayClientOptions) {
  const url = `${options.url.replace(/\/+$/, "")}/trpc`;
  const apiKey = options.apiKey;
  const headers = (): Record<string, string> =>
    apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` };
  const common = {
    url,
    transformer: superjson,
    headers,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => STREAMING_PROCEDURES.has(op.path),
        // One stream per request: its answer (status, first chunk) is not held up by another.
        true: httpBatchStreamLink({ ...common, maxItems: 1 }),
        // Queries too are POSTs, so no input (a whole body for formats.detect) is put in a URL.
        false: httpBatchLink({ ...common, methodOverride: "POST" }),
      }),
    ],
  });
}

/** The client type. */
export type GatewayClient = ReturnType<typeof createGatewayClient>;
