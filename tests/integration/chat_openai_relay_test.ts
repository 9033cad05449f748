/**
 * OpenAI in, OpenAI out, OpenAI route, streaming: the gateway relays the upstream's SSE bytes
 * (`core/providers/openai/sse_relay.ts`) instead of re-serialising chunks. A raw upstream (the
 * fault server answering with scripted bytes) writes spaced JSON, which the object path would
 * have re-written compactly, so the bytes the client gets show which path answered.
 */
import assert from "node:assert/strict";
import { startFaultServer } from "../fakes/fault_server.ts";
import { chatBody, type TestApp, testApp } from "../helpers/app.ts";
import { eventually } from "../helpers/faults.ts";

const SSE = { "content-type": "text/event-stream" };
const CHUNKS = [
  'data: {"id": "c1", "choices": [{"index": 0, "delta": {"content": "Hé"}, "finish_reason": null}], "usage": null}\n\n',
  'data: {"id": "c1", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], "usage": null}\n\n',
  'data: {"id": "c1", "choices": [], "usage": {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6}}\n\n',
  "data: [DONE]\n\n",
];
const USAGE = { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 };

async function relayed(gw: TestApp, body: Record<string, unknown>) {
  const res = await gw.post("/v1/chat/completions", body);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/event-stream");
  const text = await res.text();
  await eventually(() => gw.accessLogs().length === 1, "the access log line");
  return { text, log: gw.accessLogs()[0] };
}

Deno.test("openai → openai stream: upstream bytes relayed, usage logged", async (t) => {
  await using faults = startFaultServer();
  const rows = [
    {
      name: "usage not asked: usage:null and the usage chunk hidden, spacing kept",
      extra: {},
      expected: [
        CHUNKS[0].replace(', "usage": null', ""),
        CHUNKS[1].replace(', "usage": null', ""),
        CHUNKS[3],
      ]
        .join(""),
    },
    {
      name: "usage asked: the upstream's bytes unchanged",
      extra: { stream_options: { include_usage: true } },
      expected: CHUNKS.join(""),
    },
  ];
  for (const row of rows) {
    await t.step(row.name, async () => {
      const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: `${faults.url}/v1` });
      faults.script({ kind: "respond", headers: SSE, body: CHUNKS.join(""), chunked: true });
      const { text, log } = await relayed(
        gw,
        chatBody("gpt-4o-mini", "x", { stream: true, ...row.extra }),
      );
      assert.equal(text, row.expected);
      assert.deepEqual(log.usage, USAGE);
    });
  }
});

Deno.test("openai → openai stream: a cut upstream ends with the gateway's error event", async () => {
  await using faults = startFaultServer();
  const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: `${faults.url}/v1` });
  faults.script({ kind: "respond", headers: SSE, body: CHUNKS[0], chunked: true });
  const { text, log } = await relayed(gw, chatBody("gpt-4o-mini", "x", { stream: true }));
  const events = text.split("\n\n").filter((e) => e !== "");
  assert.equal(events.length, 2);
  const error = JSON.parse(events[1].slice("data: ".length));
  assert.equal(error.error.type, "api_error");
  assert.match(error.error.message, /stream was cut/);
  assert.equal(log.error_code, error.error.code);
});
