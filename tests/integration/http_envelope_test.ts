/**
 * Transport-level errors in OpenAI's envelope: body limit (413, with and without
 * content-length), unknown routes (404), wrong methods (405), and a gateway bug (500 without a
 * stack trace).
 */
import assert from "node:assert/strict";
import { GatewayError } from "../../core/errors.ts";
import type { ChatProvider } from "../../core/providers/provider.ts";
import { chatBody, ORIGIN, testApp, testAppWithProviders } from "../helpers/app.ts";
import { readDataEvents } from "../helpers/sse.ts";

async function envelope(res: Response, status: number, type: string, code: string) {
  assert.equal(res.status, status);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  const body = await res.json();
  assert.deepEqual(Object.keys(body), ["error"]);
  assert.equal(body.error.type, type);
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, "string");
  assert.ok("param" in body.error);
  return body.error;
}

/** A JSON chat body padded to about `bytes` bytes. */
const padded = (bytes: number) => JSON.stringify(chatBody("mock-echo", "x".repeat(bytes)));

/** A body that arrives in pieces with no content-length, like a chunked upload. */
function streamedBody(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at += 256));
    },
  });
}

Deno.test("413 request_too_large: bodies over MAX_REQUEST_BYTES, declared or streamed", async (t) => {
  const gw = testApp({ MAX_REQUEST_BYTES: "1000" });
  await t.step("with content-length", async () => {
    const body = padded(2000);
    const res = await gw.request("/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(body.length) },
      body,
    });
    const error = await envelope(res, 413, "invalid_request_error", "request_too_large");
    assert.match(error.message, /MAX_REQUEST_BYTES/);
  });
  await t.step("streamed, no content-length", async () => {
    const request = new Request(`${ORIGIN}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: streamedBody(padded(5000)),
    });
    assert.equal(request.headers.get("content-length"), null);
    await envelope(await gw.handler(request), 413, "invalid_request_error", "request_too_large");
  });
  await t.step("just under the limit is served", async () => {
    const body = padded(800);
    assert.ok(body.length <= 1000);
    const res = await gw.request("/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: streamedBody(body),
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
  });
  await t.step("tRPC bodies are limited too", async () => {
    const res = await gw.request("/trpc/chat.complete", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: JSON.parse(padded(3000)) }),
    });
    assert.equal(res.status, 413);
    await res.body?.cancel();
  });
  assert.ok(gw.accessLogs().some((l) => l.status === 413 && l.error_code === "request_too_large"));
});

Deno.test("404 for unknown routes, in the envelope", async () => {
  const gw = testApp();
  for (const path of ["/nope", "/v1/nope", "/v1/chat/completion", "/v2/chat/completions"]) {
    const error = await envelope(await gw.get(path), 404, "not_found_error", "not_found");
    assert.ok(error.message.includes(path), error.message);
  }
  // A POST to a /v1 route the gateway does not serve (/v1/embeddings is served now).
  await envelope(
    await gw.post("/v1/rerank", { model: "x", query: "y" }),
    404,
    "not_found_error",
    "not_found",
  );
});

Deno.test("405 for wrong methods, in the envelope", async () => {
  const gw = testApp();
  const cases: Array<[string, string]> = [
    ["GET", "/v1/chat/completions"],
    ["PUT", "/v1/chat/completions"],
    ["DELETE", "/v1/models"],
    ["POST", "/v1/models/gpt-4o"],
    ["POST", "/health"],
  ];
  for (const [method, path] of cases) {
    const res = await gw.request(path, { method, body: method === "GET" ? undefined : "{}" });
    await envelope(res, 405, "invalid_request_error", "method_not_allowed");
  }
});

/** A provider with a bug: it throws a TypeError (with a stack) instead of a GatewayError. */
function buggyProvider(when: "complete" | "stream-start" | "mid-stream"): ChatProvider {
  const bug = () => {
    const secretPath = "/srv/gateway/internal/secret_module.ts";
    throw new TypeError(`Cannot read properties of undefined (reading 'x') at ${secretPath}`);
  };
  return {
    name: "mock",
    complete: () => Promise.resolve().then(bug),
    async *stream(_request, ctx) {
      if (when === "stream-start") bug();
      yield {
        id: "chatcmpl-bug",
        object: "chat.completion.chunk",
        created: Math.floor(ctx.now().getTime() / 1000),
        model: "mock-bug",
        choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }],
      };
      bug();
    },
    listModels: () => Promise.resolve([]),
  };
}

Deno.test("a gateway bug → 500 internal_error, no stack or internals in the body", async (t) => {
  for (const when of ["complete", "stream-start"] as const) {
    await t.step(when, async () => {
      const gw = testAppWithProviders({ mock: buggyProvider(when) });
      const res = await gw.post(
        "/v1/chat/completions",
        chatBody("mock-bug", "x", { stream: when !== "complete" }),
      );
      const error = await envelope(res, 500, "api_error", "internal_error");
      const text = JSON.stringify(error);
      for (const leak of ["TypeError", "secret_module", " at ", "stack", ".ts:"]) {
        assert.ok(!text.includes(leak), `body leaks ${leak}: ${text}`);
      }
      // The details go to the log instead, at error level.
      const logged = gw.logs().find((l) => l.level === "error");
      assert.ok(logged !== undefined && JSON.stringify(logged).includes("TypeError"));
      assert.equal(gw.accessLogs()[0].status, 500);
      assert.equal(gw.accessLogs()[0].error_code, "internal_error");
    });
  }
  await t.step("mid-stream", async () => {
    const gw = testAppWithProviders({ mock: buggyProvider("mid-stream") });
    const res = await gw.post("/v1/chat/completions", chatBody("mock-bug", "x", { stream: true }));
    assert.equal(res.status, 200);
    const events = await readDataEvents(res);
    const last = events.at(-1) as { error: Record<string, unknown> };
    assert.equal(last.error.code, "internal_error");
    assert.ok(!JSON.stringify(last).includes("secret_module"));
    assert.ok(!events.includes("[DONE]"));
    await new Promise((resolve) => setTimeout(resolve, 0));
    const logged = gw.logs().find((l) => l.level === "error" && l.msg === "stream failed");
    assert.ok(logged !== undefined, "the bug is logged with its details");
    assert.equal(gw.accessLogs()[0].error_code, "internal_error");
  });
  await t.step("the app keeps serving", async () => {
    const gw = testAppWithProviders({ mock: buggyProvider("complete") });
    await (await gw.post("/v1/chat/completions", chatBody("mock-bug"))).body?.cancel();
    const health = await gw.get("/health");
    assert.equal(health.status, 200);
    await health.body?.cancel();
  });
});

Deno.test("GatewayErrors thrown by a provider keep their kind", async () => {
  const provider: ChatProvider = {
    name: "mock",
    complete: () =>
      Promise.reject(new GatewayError("rate_limited", "slow down", { retryAfterSeconds: 3 })),
    stream: () => {
      throw new Error("unused");
    },
    listModels: () => Promise.resolve([]),
  };
  const gw = testAppWithProviders({ mock: provider });
  const res = await gw.post("/v1/chat/completions", chatBody("mock-x"));
  assert.equal(res.headers.get("retry-after"), "3");
  await envelope(res, 429, "rate_limit_error", "rate_limit_exceeded");
});
