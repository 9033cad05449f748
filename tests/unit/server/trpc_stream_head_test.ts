/**
 * `settleStreamHead` on JSON-lines answers produced by tRPC itself (a small router served by the
 * fetch adapter, called as `httpBatchStreamLink` calls it): a call that fails before streaming
 * becomes its own status and error body, a stream goes on byte for byte — also when the answer
 * arrives one byte per chunk — and anything but a 200 passes through untouched.
 */
import assert from "node:assert/strict";
import { initTRPC, TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { z } from "zod";
import { settleStreamHead } from "../../../server/routes/trpc_stream_head.ts";

const t = initTRPC.create({ transformer: superjson });
const router = t.router({
  stream: t.procedure.input(z.object({ fail: z.boolean() })).mutation(({ input }) => {
    if (input.fail) throw new TRPCError({ code: "NOT_FOUND", message: "no such thing" });
    return (async function* () {
      yield "a";
      yield "b";
    })();
  }),
});

/** tRPC's answer to a streamed batch of one `stream` call. */
function answer(input: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetchRequestHandler({
    endpoint: "/trpc",
    router,
    req: new Request("http://x/trpc/stream?batch=1", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "trpc-accept": "application/jsonl",
        ...headers,
      },
      body: JSON.stringify({ 0: superjson.serialize(input) }),
    }),
  });
}

/** The same response with its body cut into one-byte chunks. */
async function byteByByte(response: Response): Promise<Response> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < bytes.length) controller.enqueue(bytes.slice(i, ++i));
      else controller.close();
    },
  });
  return new Response(body, { status: response.status, headers: response.headers });
}

Deno.test("settleStreamHead: a call failing before its stream becomes its own status", async () => {
  for (const split of [false, true]) {
    const response = split ? await byteByByte(await answer({ fail: true })) : await answer({
      fail: true,
    });
    assert.equal(response.status, 200, "tRPC itself answers 200");
    const settled = await settleStreamHead(response);
    assert.ok(!(settled instanceof Response), "refused");
    assert.equal(settled.status, 404);
    assert.equal(settled.code, "NOT_FOUND");
    const shape = superjson.deserialize<{ message: string; data: { code: string } }>(
      settled.body.error,
    );
    assert.equal(shape.message, "no such thing");
    assert.equal(shape.data.code, "NOT_FOUND");
  }
});

Deno.test("settleStreamHead: a stream goes on byte for byte", async () => {
  const expected = await (await answer({ fail: false })).text();
  assert.ok(expected.split("\n").length > 4, expected);
  for (const split of [false, true]) {
    const response = split ? await byteByByte(await answer({ fail: false })) : await answer({
      fail: false,
    });
    const settled = await settleStreamHead(response);
    assert.ok(settled instanceof Response);
    assert.equal(settled.status, 200);
    assert.equal(await settled.text(), expected);
  }
});

Deno.test("settleStreamHead: non-200 answers and short bodies pass through", async () => {
  const refused = await answer({ fail: true }, { "trpc-accept": "application/json" });
  assert.equal(refused.status, 404, "a plain batch answers with the status itself");
  assert.equal(await settleStreamHead(refused), refused);
  const short = new Response('{"json":{}}\n', { status: 200 });
  const settled = await settleStreamHead(short);
  assert.ok(settled instanceof Response);
  assert.equal(await settled.text(), '{"json":{}}\n');
});
