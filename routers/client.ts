/**
 * A typed tRPC client for the gateway that works from Deno, Node and browsers: batched HTTP for
 * queries and mutations, SSE for subscriptions.
 *
 * @example
 * const gw = createGatewayClient({ url: "http://127.0.0.1:8000", apiKey: "k" });
 * const models = await gw.models.list.query();
 */
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import superjson, { type SuperJSONResult } from "superjson";
import type { AppRouter } from "./app_router.ts";
import { fetchEventSourceClass } from "./fetch_event_source.ts";

/** Options of {@link createGatewayClient}. */
export interface GatewayClientOptions {
  /** The gateway's base URL, e.g. `http://127.0.0.1:8000` (the client appends `/trpc`). */
  url: string;
  /** A client key, sent as `Authorization: Bearer` (and, only with a custom `EventSource`, which
   * cannot send headers, as the subscription's `connectionParams.apiKey` in the URL). */
  apiKey?: string;
  /** An EventSource implementation to use for subscriptions instead of the built-in fetch-based
   * one (e.g. the browser's). */
  EventSource?: typeof EventSource;
  /** A fetch implementation (defaults to the global one); also used for subscriptions. */
  fetch?: typeof fetch;
}

/** Creates the typed client. */
export function createGatewayClient(options: GatewayClientOptions) {
  const url = `${options.url.replace(/\/+$/, "")}/trpc`;
  const apiKey = options.apiKey;
  const headers = (): Record<string, string> =>
    apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` };
  const subscriptions = options.EventSource === undefined
    ? {
      EventSource: fetchEventSourceClass({
        fetch: options.fetch,
        // A refused subscription answers tRPC's error body: give the link its error shape.
        errorFromBody: (body) =>
          typeof body === "object" && body !== null && "error" in body
            ? superjson.deserialize(body.error as SuperJSONResult)
            : undefined,
      }) as unknown as typeof EventSource,
      eventSourceOptions: () => ({ headers: headers() }),
    }
    : {
      EventSource: options.EventSource,
      connectionParams: () => (apiKey === undefined ? {} : { apiKey }),
    };
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url, transformer: superjson, ...subscriptions }),
        false: httpBatchLink({
          url,
          transformer: superjson,
          headers,
          ...(options.fetch ? { fetch: options.fetch } : {}),
        }),
      }),
    ],
  });
}

/** The client type. */
export type GatewayClient = ReturnType<typeof createGatewayClient>;
