/**
 * Log levels: a client's mistake is an `info` access-log line without a stack; `error` is kept
 * for the gateway's own faults — on HTTP routes, tRPC mutations and tRPC streams alike.
 */
import assert from "node:assert/strict";
import { chatBody, ORIGIN, testApp } from "../helpers/app.ts";
import { streamRequest } from "../helpers/trpc_stream.ts";

const BEDROCK_MODEL = "anthropic.claude-3-haiku-20240307-v1:0";
const unsupported = chatBody(BEDROCK_MODEL, "hi", { presence_penalty: 0.5 });

Deno.test("log levels: client mistakes are not logged as errors", async (t) => {
  const gw = testApp({ AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" });

  await t.step("HTTP route", async () => {
    const res = await gw.post("/v1/chat/completions", unsupported);
    assert.equal(res.status, 400);
    assert.match(await res.text(), /presence_penalty is not supported/);
  });
  await t.step("tRPC mutation", async () => {
    const res = await gw.post("/trpc/chat.complete", { json: unsupported });
    assert.equal(res.status, 400);
  });
  await t.step("tRPC stream: a 400 before any stream, and not a gateway error", async () => {
    const res = await gw.handler(streamRequest(ORIGIN, "chat.stream", unsupported));
    assert.equal(res.status, 400);
    assert.match(await res.text(), /presence_penalty is not supported/);
  });

  const errors = gw.logs().filter((l) => l.level === "error");
  assert.deepEqual(errors, [], "no error lines for client mistakes");
  const records = gw.accessLogs();
  assert.equal(records.length, 3);
  for (const record of records) {
    assert.equal(record.level, "info");
    assert.equal(record.stack, undefined);
  }
});
