/**
 * Measures the README's fault table: each scripted upstream fault (fault server, fake OpenAI,
 * fake Bedrock; real SDKs) against the gateway built in process with `UPSTREAM_TIMEOUT_MS=2000`
 * and `UPSTREAM_MAX_RETRIES=2`, printing what the client got, how long it took and how many
 * attempts the upstream saw, as a Markdown table.
 *
 * Run: `deno run -A --unstable-net --unstable-no-legacy-abort tests/performance/fault_table.ts`
 */
import { startFaultServer } from "../fakes/fault_server.ts";
import { textFrames } from "../fakes/bedrock_runtime.ts";
import {
  completion,
  errorReply,
  startFakeOpenAI,
  streamReply,
  textDeltas,
} from "../fakes/openai_upstream.ts";
import { chatBody, type TestApp, testApp } from "../helpers/app.ts";
import { type Timed, timed } from "../helpers/faults.ts";
import { parseSse } from "../helpers/sse.ts";
import { bedrockGateway, runtimeRequests } from "../integration/bedrock_harness.ts";
import {
  chunkFrames,
  CLAUDE_MODEL,
  claudeBody,
  claudeTextEvents,
} from "../integration/formats_harness.ts";

const ENV = { UPSTREAM_TIMEOUT_MS: "2000", UPSTREAM_MAX_RETRIES: "2" };
const LIMIT_MS = 60_000;
const BIG = 100 * 1024 * 1024;
const rows: string[] = [];

/** What the client got, in a few words. */
function outcome(r: Timed): string {
  if (r.status === 200 && r.headers.get("content-type")?.includes("event-stream")) {
    const last = parseSse(r.text).at(-1)!;
    if (last.data === "[DONE]") return "200, `[DONE]`";
    if (last.event === "message_stop") return "200, `message_stop`";
    const error = JSON.parse(last.data).error;
    const frame = last.event === "error" ? "`event: error`" : "`data: {error}`";
    return `200, then ${frame} \`${error.code ?? error.type}\``;
  }
  if (r.status === 200) return "200";
  const error = JSON.parse(r.text).error;
  const retryAfter = r.headers.get("retry-after");
  return `${r.status} \`${error.code ?? error.type}\`` +
    (retryAfter === null ? "" : ` + \`Retry-After: ${retryAfter}\``);
}

async function row(
  provider: string,
  fault: string,
  send: () => Promise<Response>,
  attempts: () => number,
) {
  const before = attempts();
  const r = await timed(LIMIT_MS, fault, send);
  rows.push(
    `| ${provider} | ${fault} | ${outcome(r)} | ${Math.round(r.totalMs)} ms | ${
      attempts() - before
    } |`,
  );
}

const chat = (gw: TestApp, body: unknown, route = "/v1/chat/completions") => () =>
  gw.post(route, body);

// ---------------------------------------------------------------- OpenAI
const GPT = "gpt-4o";
for (const stream of [false, true]) {
  const mode = stream ? "stream" : "JSON";
  const body = chatBody(GPT, "x", { stream });
  {
    await using faults = startFaultServer();
    const gw = testApp({ OPENAI_API_KEY: "t", OPENAI_BASE_URL: `${faults.url}/v1`, ...ENV });
    faults.script({ kind: "hang" }); // not retried: the timeout used the budget
    await row(
      "OpenAI",
      `hang before headers (${mode})`,
      chat(gw, body),
      () => faults.requests.length,
    );
    await row("OpenAI", `connection reset (${mode})`, chat(gw, body), () => faults.requests.length);
    if (!stream) {
      faults.script({ kind: "stall", body: '{"id":"chatcmpl-1","obj' });
      await row("OpenAI", "hang mid-body (JSON)", chat(gw, body), () => faults.requests.length);
      faults.script({
        kind: "respond",
        chunked: true,
        body: JSON.stringify({ choices: [{ message: { content: "x".repeat(BIG) } }] }),
      });
      await row(
        "OpenAI",
        "100 MiB answer, chunked (default MAX_RESPONSE_BYTES)",
        chat(gw, body),
        () => faults.requests.length,
      );
    }
  }
}
{
  await using fake = await startFakeOpenAI();
  const gw = testApp({ OPENAI_API_KEY: "t", OPENAI_BASE_URL: fake.url, ...ENV });
  const count = () => fake.chatRequests.length;
  const streamed = chatBody(GPT, "x", { stream: true });
  fake.script(streamReply(textDeltas(["a"]).slice(0, 2), { end: "hang" }));
  await row("OpenAI", "hang mid-stream", chat(gw, streamed), count);
  fake.script(streamReply(textDeltas(["a", "b"]).slice(0, 3), { end: "close" }));
  await row("OpenAI", "stream cut (no finish_reason, no `[DONE]`)", chat(gw, streamed), count);
  fake.script(errorReply(429, { retryAfter: 1 }), completion());
  await row("OpenAI", "429 `Retry-After: 1`, then 200", chat(gw, chatBody(GPT)), count);
  fake.script(errorReply(429, { retryAfter: 3 }));
  await row("OpenAI", "429 `Retry-After: 3` (past the 2 s budget)", chat(gw, chatBody(GPT)), count);
  fake.script(errorReply(500), errorReply(500), errorReply(500));
  await row("OpenAI", "500 every time", chat(gw, chatBody(GPT)), count);
}

// ---------------------------------------------------------------- Bedrock
const NOVA = "amazon.nova-lite-v1:0";
const PATHS: Array<[string, unknown, string]> = [
  ["Converse", chatBody(NOVA), "/v1/chat/completions"],
  ["ConverseStream", chatBody(NOVA, "x", { stream: true }), "/v1/chat/completions"],
  ["InvokeModel, Claude", claudeBody(CLAUDE_MODEL), "/v1/messages"],
  [
    "InvokeModelWithResponseStream, Claude",
    claudeBody(CLAUDE_MODEL, { stream: true }),
    "/v1/messages",
  ],
];
for (const [name, body, route] of PATHS) {
  await using faults = startFaultServer();
  await using h = bedrockGateway({
    aws: { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: faults.url },
    env: ENV,
  });
  faults.script({ kind: "hang" }); // not retried: the timeout used the budget
  await row(
    "Bedrock",
    `hang before headers (${name})`,
    chat(h.gw, body, route),
    () => faults.requests.length,
  );
  await row(
    "Bedrock",
    `connection reset (${name})`,
    chat(h.gw, body, route),
    () => faults.requests.length,
  );
  if (name === "Converse") {
    faults.script({ kind: "stall", body: '{"output":' });
    await row(
      "Bedrock",
      "hang mid-body (Converse)",
      chat(h.gw, body),
      () => faults.requests.length,
    );
    faults.script({
      kind: "respond",
      chunked: true,
      body: JSON.stringify({
        output: { message: { role: "assistant", content: [{ text: "x".repeat(BIG) }] } },
      }),
    });
    await row(
      "Bedrock",
      "100 MiB Converse answer, chunked",
      chat(h.gw, body),
      () => faults.requests.length,
    );
  }
}
{
  await using h = bedrockGateway({ env: ENV });
  const count = () => runtimeRequests(h.fake).length;
  h.fake.enqueue({ kind: "stream", frames: textFrames(["Hel"]).slice(0, 2), hang: true });
  await row("Bedrock", "hang mid-stream (ConverseStream)", chat(h.gw, PATHS[1][1]), count);
  const claudeStream = PATHS[3][1];
  h.fake.enqueue({
    kind: "stream",
    frames: chunkFrames(claudeTextEvents(["Hel"]).slice(0, 3)),
    hang: true,
  });
  await row(
    "Bedrock",
    "hang mid-stream (native Claude)",
    chat(h.gw, claudeStream, "/v1/messages"),
    count,
  );
  h.fake.enqueue({
    kind: "stream",
    frames: chunkFrames(claudeTextEvents(["Hel", "lo"]).slice(0, 4)),
  });
  await row(
    "Bedrock",
    "native Claude stream cut (no `message_stop`)",
    chat(h.gw, claudeStream, "/v1/messages"),
    count,
  );
  const throttle = {
    kind: "error" as const,
    type: "ThrottlingException",
    headers: { "retry-after": "1" },
  };
  h.fake.enqueue(throttle, throttle); // the second Retry-After would pass the deadline
  await row(
    "Bedrock",
    "429 `Retry-After: 1` every time (2 s budget)",
    chat(h.gw, PATHS[0][1]),
    count,
  );
  h.fake.enqueue(throttle);
  await row("Bedrock", "429 `Retry-After: 1`, then 200", chat(h.gw, PATHS[0][1]), count);
}

console.log(
  "| provider | upstream fault | client gets | time | attempts |\n|---|---|---|---|---|\n" +
    rows.join("\n"),
);
