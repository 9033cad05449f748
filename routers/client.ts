/**
 * A typed tRPC client for the gateway that works from Deno, Node and browsers: batched HTTP for
 * queries and mutations, SSE for subscriptions.
 *
 * @example
 * const gw = createGatewayClient({ url: "http://127.0.0.1:8000", apiKey: "k" });
 * const models = await gw.models.list.query();
 */
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "./app_router.ts";

/** Options of {@link createGatewayClient}. */
export interface GatewayClientOptions {
  /** The gateway's base URL, e.g. `http://127.0.0.1:8000` (the client appends `/trpc`). */
  url: string;
  /** A client key, sent as `Authorization: Bearer` and as `connectionParams.apiKey`. */
  apiKey?: string;
  /** An EventSource implementation where none is global (Node < 22: the `eventsource` package). */
  EventSource?: typeof EventSource;
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof fetch;
}

/** Creates the typed client. */
export function createGatewayClient(options: GatewayClientOptions) {
  const url = `${options.url.replace(/\/+$/, "")}/trpc`;
  const apiKey = options.apiKey;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url,
          transformer: superjson,
          connectionParams: () => (apiKey === undefined ? {} : { apiKey }),
          ...(options.EventSource ? { EventSource: options.EventSource } : {}),
        }),
        false: httpBatchLink({
          url,
          transformer: superjson,
          headers: () => (apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` }),
          ...(options.fetch ? { fetch: options.fetch } : {}),
        }),
      }),
    ],
  });
}

/** The client type. */
export type GatewayClient = ReturnType<typeof createGatewayClient>;
