/**
 * Request bodies captured from real agents (Codex CLI 0.171.0, @openai/agents 0.20.0, the
 * Vercel AI SDK 7; `tests/fixtures/responses_requests/`, long prompt texts shortened) answered
 * by the gateway: on the mock (JSON or checked SSE, as each asked), on Bedrock Claude through the
 * hub (the Converse body the fake got), and natively on an OpenAI upstream (sent as captured).
 */
import assert from "node:assert/strict";
import type { ConverseRequest } from "../../core/providers/bedrock/converse/wire.ts";
import { textFrames } from "../fakes/bedrock_runtime.ts";
import { startFakeOpenAI } from "../fakes/openai_upstream.ts";
import { testApp } from "../helpers/app.ts";
import { checkResponsesStream } from "../helpers/responses_stream_checker.ts";
import { readSse } from "../helpers/sse.ts";
import { bedrockGateway, runtimeRequests } from "./bedrock_harness.ts";

const DIR = new URL("../fixtures/responses_requests/", import.meta.url);
const NAMES = [
  "exec_tool_round_trip_02",
  "sdk_agents_03",
  "sdk_agents_04",
  "sdk_ai_01",
  "sdk_ai_04",
];
type Body = Record<string, unknown> & { model: string; stream?: boolean };
const load = (name: string): Body =>
  JSON.parse(Deno.readTextFileSync(new URL(`${name}.json`, DIR))) as Body;

Deno.test("captured agent requests, answered by the mock", async (t) => {
  const gw = testApp({});
  for (const name of NAMES) {
    await t.step(name, async () => {
      const body: Body = { ...load(name), model: "mock-echo" };
      const res = await gw.post("/v1/responses", body);
      assert.equal(res.status, 200, await res.clone().text());
      if (body.stream === true) {
        const summary = checkResponsesStream(await readSse(res));
        assert.equal(summary.terminal, "response.completed");
      } else {
        assert.equal((await res.json()).status, "completed");
      }
    });
  }
});

Deno.test("Codex's tool round trip on Bedrock Claude: developer → system, namespace flattened, web_search named", async () => {
  await using h = bedrockGateway();
  h.fake.enqueue({ kind: "stream", frames: textFrames(["hi-from-shell"]) });
  const body = {
    ...load("exec_tool_round_trip_02"),
    model: "us.anthropic.claude-sonnet-4-20250514-v1:0",
  };
  const res = await h.gw.post("/v1/responses", body);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-gateway-ignored-tools"), "web_search");
  checkResponsesStream(await readSse(res));
  const sent = runtimeRequests(h.fake)[0].body as ConverseRequest;
  assert.equal(sent.system?.length, 3, "two developer messages (one with two parts)");
  const names = sent.toolConfig?.tools?.map((t) => "toolSpec" in t ? t.toolSpec.name : "");
  assert.ok(names?.includes("exec_command"));
  assert.ok(names?.includes("spawn_agent"), "namespace tools flattened");
  const last = sent.messages.at(-1)!;
  assert.equal(last.role, "user");
  assert.ok(JSON.stringify(last.content).includes("toolResult"));
  assert.ok(JSON.stringify(sent.messages.at(-2)).includes("call_1"));
});

Deno.test("captured requests go natively to an OpenAI upstream as captured", async (t) => {
  await using fake = await startFakeOpenAI({ requireKey: "k" });
  const gw = testApp({
    OPENAI_API_KEY: "k",
    OPENAI_BASE_URL: fake.url,
    OPENAI_RESPONSES_API: "true",
  });
  for (const name of NAMES) {
    await t.step(name, async () => {
      const captured: Body = { ...load(name), model: "gpt-4.1" };
      fake.scriptResponses({ text: "ok" });
      const res = await gw.post("/v1/responses", captured);
      assert.equal(res.status, 200);
      if (captured.stream === true) checkResponsesStream(await readSse(res));
      else assert.equal((await res.json()).output[0].content[0].text, "ok");
      assert.deepEqual(fake.responsesRequests.at(-1)!.body, {
        ...captured,
        stream: captured.stream === true,
      });
    });
  }
});
