/**
 * The tRPC streaming transport in tests: `chat.stream` called the way `httpBatchStreamLink`
 * sends it (a POST to `/trpc/<path>?batch=1` with `trpc-accept: application/jsonl` and the
 * superjson input in the body), its JSON-lines answer parsed, and a typed client's stream read
 * to its end.
 */
import superjson, { type SuperJSONResult } from "superjson";
import type { ChatCompletionChunk } from "../../core/formats/openai/schema.ts";
import type { GatewayClient } from "../../routers/client.ts";

/** The request `httpBatchStreamLink` sends for one call of `path` with `input`. */
export function streamRequest(
  origin: string,
  path: string,
  input: unknown,
  headers: HeadersInit = {},
  query = "",
): Request {
  return new Request(`${origin}/trpc/${path}?batch=1${query}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "trpc-accept": "application/jsonl",
      ...Object.fromEntries(new Headers(headers)),
    },
    body: JSON.stringify({ 0: superjson.serialize(input) }),
  });
}

/** The lines of a JSON-lines answer, each superjson-deserialised (the head first). */
export async function jsonLines(response: Response): Promise<unknown[]> {
  const text = await response.text();
  return text.split("\n").filter((line) => line.trim() !== "").map((line) =>
    superjson.deserialize(JSON.parse(line) as SuperJSONResult)
  );
}

/** What a typed client's `chat.stream` gave: its chunks, and its error if it failed. */
export interface StreamOutcome {
  chunks: ChatCompletionChunk[];
  error?: unknown;
}

/** Reads `chat.stream` to its end (or its error) through a typed client. */
export async function readStream(
  client: GatewayClient,
  input: Parameters<GatewayClient["chat"]["stream"]["mutate"]>[0],
  signal?: AbortSignal,
): Promise<StreamOutcome> {
  const chunks: ChatCompletionChunk[] = [];
  try {
    for await (const chunk of await client.chat.stream.mutate(input, { signal })) {
      chunks.push(chunk as ChatCompletionChunk);
    }
    return { chunks };
  } catch (error) {
    return { chunks, error };
  }
}

/** The text of streamed chunks. */
export const chunkText = (chunks: ChatCompletionChunk[]) =>
  chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
