/**
 * Fuzz test (issue 10): thousands of generated and mutated bodies (fast-check, fixed seed) over
 * every JSON route — `POST /v1/chat/completions` (with and without `target_format`),
 * `POST /v1/messages`, tRPC `chat.complete`, `chat.stream` (JSON lines over POST),
 * `formats.convert`, `formats.detect`, the tRPC batch form, `POST /v1/responses`,
 * `POST /v1/embeddings` and `POST /v1/messages/count_tokens` — aimed at the mock provider and, through the fakes, at the OpenAI and Bedrock
 * (Converse and native) paths. Every answer must be a 2xx or a well-formed 4xx (the route's error
 * envelope), never a 5xx, never a stack trace; streams must not end in an error event; no
 * unhandled rejection; afterwards the gateway still answers `/health` and ordinary chats, and RSS
 * growth stays bounded. A failure prints the seed (override with `FUZZ_SEED`) and the inputs.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import v8 from "node:v8";
import vm from "node:vm";
import { startFakeOpenAI } from "../fakes/openai_upstream.ts";
import { chatBody, type TestApp } from "../helpers/app.ts";
import { bedrockGateway } from "./bedrock_harness.ts";
import { bedrockFallback, openaiFallback } from "./fuzz_replies.ts";
import { UPLOADED_FILE } from "./fuzz_bodies.ts";
import { judge, type Probe } from "./fuzz_checks.ts";
import {
  chatProbe,
  countTokensProbe,
  embeddingsProbe,
  messagesProbe,
  responsesProbe,
  trpcBatchProbe,
  trpcCompleteProbe,
  trpcConvertProbe,
  trpcDetectProbe,
  trpcStreamProbe,
} from "./fuzz_probes.ts";
import { MODELS } from "./fuzz_values.ts";

const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 20_261_201);
/** Multiplies every route's run count (`FUZZ_SCALE=10` for a longer exploration). */
const SCALE = Number(Deno.env.get("FUZZ_SCALE") ?? 1);

/**
 * Runs per route; 6,400 in total (the issue asks for at least 5,000): ~8 s alone, well under a
 * minute on a loaded 2-core machine. `FUZZ_SCALE` multiplies them for longer explorations.
 */
const RUNS = {
  chatCompletions: 1_900,
  messages: 850,
  trpcComplete: 850,
  trpcStream: 400,
  trpcConvert: 850,
  trpcDetect: 700,
  trpcBatch: 850,
  responses: 700,
  embeddings: 400,
  countTokens: 300,
};

/** The client key the gateway is configured with, and the header carrying it. */
const KEY = "gw-fuzz-key";
const AUTH = { authorization: `Bearer ${KEY}` };

/** How long one request may take before it counts as a hang. */
const REQUEST_DEADLINE_MS = 20_000;

/** RSS growth allowed over the whole run (generous: the machine is shared and GC is lazy). */
const RSS_GROWTH_LIMIT = 300 * 1024 * 1024;

// ---------------------------------------------------------------- fakes that answer everything

async function fuzzGateway() {
  const filesDir = await Deno.makeTempDir({ prefix: "gateway-fuzz-files-" });
  const openai = await startFakeOpenAI({ fallback: openaiFallback() });
  const harness = bedrockGateway({
    env: {
      OPENAI_API_KEY: "sk-fuzz-upstream",
      OPENAI_BASE_URL: openai.url,
      UPSTREAM_TIMEOUT_MS: "15000",
      LOG_LEVEL: "info",
      // With a key, the no-auth Host/Origin rules (issue 10, item 11) do not apply to the
      // in-process origin; every probe sends it.
      API_KEY: KEY,
      FILES_DIR: filesDir,
    },
    fake: { fallback: bedrockFallback() },
  });
  // A real file for the bodies' `file_ids` (its text becomes context on every path).
  const form = new FormData();
  form.append("file", new File(["name,city\nAda,London\n"], "people.csv", { type: "text/csv" }));
  form.append("purpose", "assistants");
  const upload = await harness.gw.request("/v1/files", {
    method: "POST",
    body: form,
    headers: AUTH,
  });
  assert.equal(upload.status, 200);
  const fileId: string = (await upload.json()).id;
  return {
    gw: harness.gw,
    openai,
    bedrock: harness.fake,
    /** Puts the uploaded file's id where the generators left {@link UPLOADED_FILE}. */
    withFile: (text: string) => text.replaceAll(UPLOADED_FILE, fileId),
    async [Symbol.asyncDispose]() {
      await harness[Symbol.asyncDispose]();
      await openai.close();
      await Deno.remove(filesDir, { recursive: true });
    },
  };
}

// ---------------------------------------------------------------- requests and their checks

/** A failed probe, as printed. */
interface Failure {
  route: string;
  why: string;
  status: number;
  response: string;
  request: string;
  log?: string;
}

const clip = (s: string, n = 600) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);

/** Statistics of a run. */
interface Stats {
  sent: number;
  byStatus: Map<number, number>;
  streams: number;
}

async function run(
  gw: TestApp,
  withFile: (text: string) => string,
  probe: Probe,
  stats: Stats,
  failures: Failure[],
) {
  const init: RequestInit = { method: probe.method, headers: { ...AUTH, ...probe.headers } };
  if (probe.body !== undefined) {
    init.headers = { ...AUTH, ...probe.headers, "content-type": "application/json" };
    init.body = probe.body.bytes ?? withFile(probe.body.text);
  }
  gw.logLines.length = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("no answer in time")), REQUEST_DEADLINE_MS);
  });
  let status = 0;
  let text = "";
  let why: string | undefined;
  try {
    const res = await Promise.race([gw.request(withFile(probe.path), init), deadline]);
    status = res.status;
    text = await Promise.race([res.text(), deadline]);
    const sse = res.headers.get("content-type")?.includes("text/event-stream");
    if (sse || (probe.envelope === "trpc-stream" && status === 200)) stats.streams++;
    why = judge(probe, status, res.headers.get("content-type") ?? "", text);
    // A gateway fault the client never saw (e.g. after a stream started) is still logged.
    if (why === undefined && gw.logLines.some((line) => line.includes('"level":"error"'))) {
      why = "an error-level log line (a gateway fault) for this request";
    }
  } catch (error) {
    why = `threw ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    clearTimeout(timer);
  }
  stats.sent++;
  stats.byStatus.set(status, (stats.byStatus.get(status) ?? 0) + 1);
  if (why !== undefined) {
    const errorLog = gw.logLines.find((line) => line.includes('"level":"error"'));
    failures.push({
      route: `${probe.method} ${clip(probe.path, 120)}`,
      why,
      status,
      response: clip(text),
      request: clip(probe.body?.text ?? ""),
      log: errorLog === undefined ? undefined : clip(errorLog, 1_500),
    });
  }
  gw.logLines.length = 0;
}

// ---------------------------------------------------------------- the test

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** V8's `gc()`, exposed at run time (the test task has no `--expose-gc`). */
const gc: () => void = (() => {
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
})();

/** Full collections with a pause between, so freed pages go back before RSS is read. */
async function settledMemory(): Promise<Deno.MemoryUsage> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Deno.memoryUsage();
}

Deno.test("fuzz: 7,800 generated and mutated bodies over every JSON route answer 2xx or a well-formed 4xx", async (t) => {
  await using h = await fuzzGateway();
  const rejections: unknown[] = [];
  const onRejection = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    rejections.push(event.reason);
  };
  globalThis.addEventListener("unhandledrejection", onRejection);
  try {
    // Warm up (SDK clients, lazy imports) before the RSS baseline.
    for (const model of [MODELS.mock[0], MODELS.openai[0], MODELS.converse[0]]) {
      assert.equal((await h.gw.post("/v1/chat/completions", chatBody(model), AUTH)).status, 200);
    }
    const before = await settledMemory();
    const started = performance.now();
    const stats: Stats = { sent: 0, byStatus: new Map(), streams: 0 };
    const failures: Failure[] = [];
    const upstreamCalls = { openai: 0, bedrock: 0 };

    const routes: Array<[string, fc.Arbitrary<Probe>, number]> = [
      ["POST /v1/chat/completions[?target_format]", chatProbe, RUNS.chatCompletions],
      ["POST /v1/messages", messagesProbe, RUNS.messages],
      ["POST /trpc/chat.complete", trpcCompleteProbe, RUNS.trpcComplete],
      ["POST /trpc/formats.convert", trpcConvertProbe, RUNS.trpcConvert],
      ["GET /trpc/formats.detect", trpcDetectProbe, RUNS.trpcDetect],
      ["tRPC batch", trpcBatchProbe, RUNS.trpcBatch],
      // Last, so the routes before it keep their seeds (SEED + index) and bodies.
      ["POST /trpc/chat.stream (JSON lines)", trpcStreamProbe, RUNS.trpcStream],
      ["POST /v1/responses", responsesProbe, RUNS.responses],
      ["POST /v1/embeddings", embeddingsProbe, RUNS.embeddings],
      ["POST /v1/messages/count_tokens", countTokensProbe, RUNS.countTokens],
    ];
    for (const [index, [name, probe, numRuns]] of routes.entries()) {
      await t.step(`${name}: ${numRuns} bodies`, async () => {
        const before = failures.length;
        await fc.assert(
          fc.asyncProperty(probe, async (p) => {
            await run(h.gw, h.withFile, p, stats, failures);
            // The fakes record every request; count and drop them so RSS measures the gateway.
            upstreamCalls.openai += h.openai.requests.length;
            upstreamCalls.bedrock += h.bedrock.requests.length;
            h.openai.requests.length = 0;
            h.bedrock.requests.length = 0;
          }),
          { seed: SEED + index, numRuns: Math.round(numRuns * SCALE) },
        );
        const mine = failures.slice(before);
        assert.equal(
          mine.length,
          0,
          `seed ${SEED + index} (FUZZ_SEED=${SEED}): ${mine.length} bad answers, first ones:\n` +
            JSON.stringify(mine.slice(0, 5), null, 2),
        );
      });
    }
    const seconds = (performance.now() - started) / 1000;

    await t.step("the gateway still serves: /health and ordinary chats", async () => {
      const health = await h.gw.get("/health");
      assert.equal(health.status, 200);
      assert.equal((await health.json()).status, "ok");
      for (const model of [MODELS.mock[0], MODELS.openai[0], MODELS.converse[0]]) {
        const res = await h.gw.post("/v1/chat/completions", chatBody(model, "still there?"), AUTH);
        assert.equal(res.status, 200, model);
        const body = await res.json();
        assert.equal(typeof body.choices[0].message.content, "string");
      }
    });

    await t.step("no unhandled rejection; RSS growth bounded", async () => {
      assert.deepEqual(rejections.map(String), []);
      const after = await settledMemory();
      const [rssBefore, rssAfter] = [before.rss, after.rss];
      const statuses = [...stats.byStatus.entries()].sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`).join(" ");
      console.log(
        `fuzz: seed ${SEED}, ${stats.sent} bodies in ${seconds.toFixed(1)} s (${stats.streams} ` +
          `streams); statuses ${statuses}; RSS ${mb(rssBefore)} → ${mb(rssAfter)} ` +
          `(${rssAfter >= rssBefore ? "+" : ""}${mb(rssAfter - rssBefore)}), heap ${
            mb(before.heapUsed)
          } → ${mb(after.heapUsed)}; upstream calls: ` +
          `OpenAI ${upstreamCalls.openai}, ` +
          `Bedrock ${upstreamCalls.bedrock}`,
      );
      assert.ok(stats.sent >= 5_000 * Math.min(1, SCALE), `only ${stats.sent} bodies sent`);
      // The run means something only if many bodies got through to a provider.
      const ok = (stats.byStatus.get(200) ?? 0) + (stats.byStatus.get(207) ?? 0);
      assert.ok(ok >= stats.sent * 0.15, `only ${ok} 2xx answers`);
      assert.ok(stats.streams >= stats.sent * 0.02, `only ${stats.streams} streams`);
      assert.ok(upstreamCalls.openai >= stats.sent * 0.01, "too few bodies reached OpenAI");
      assert.ok(upstreamCalls.bedrock >= stats.sent * 0.02, "too few bodies reached Bedrock");
      assert.equal(stats.byStatus.get(401), undefined, "the client key was refused");
      assert.ok(
        rssAfter - rssBefore < RSS_GROWTH_LIMIT,
        `RSS grew by ${mb(rssAfter - rssBefore)} (limit ${mb(RSS_GROWTH_LIMIT)})`,
      );
    });
  } finally {
    globalThis.removeEventListener("unhandledrejection", onRejection);
  }
});
