/**
 * `STREAMING_PROCEDURES` names exactly the procedures that answer a stream: each is a mutation
 * of the router (so the client sends it as a POST) whose output type is an async iterable, and
 * the other chat and responses procedures are not in it.
 */
import assert from "node:assert/strict";
import type { inferRouterOutputs } from "@trpc/server";
import { type AppRouter, appRouter } from "../../../routers/app_router.ts";
import { STREAMING_PROCEDURES } from "../../../routers/streaming.ts";

type Outputs = inferRouterOutputs<AppRouter>;
type IsStream<T> = T extends AsyncIterable<unknown> ? true : false;

Deno.test("STREAMING_PROCEDURES: mutations answering async iterables", () => {
  // Checked by the type checker: change either output and this file no longer compiles.
  const stream: IsStream<Outputs["chat"]["stream"]> = true;
  const complete: IsStream<Outputs["chat"]["complete"]> = false;
  const responsesStream: IsStream<Outputs["responses"]["stream"]> = true;
  const responsesCreate: IsStream<Outputs["responses"]["create"]> = false;
  assert.deepEqual([stream, complete, responsesStream, responsesCreate], [
    true,
    false,
    true,
    false,
  ]);

  const procedures = appRouter._def.procedures as unknown as Record<
    string,
    { _def: { type: string } }
  >;
  assert.deepEqual([...STREAMING_PROCEDURES], ["chat.stream", "responses.stream"]);
  for (const path of STREAMING_PROCEDURES) {
    assert.equal(procedures[path]?._def.type, "mutation", path);
  }
  assert.ok(
    Object.values(procedures).every((p) => p._def.type !== "subscription"),
    "no subscription (its input would travel in the URL)",
  );
});
