/**
 * CORS_ORIGINS: preflights answered before authentication (204 for a listed origin, 403
 * otherwise, never 401), CORS headers on the answers to a listed origin (errors included), and
 * no CORS header at all without the variable.
 */
import assert from "node:assert/strict";
import { chatBody, ORIGIN, type TestApp, testApp } from "../helpers/app.ts";

const KEY = "cors-key";
const APP = "https://app.example";

function preflight(
  gw: TestApp,
  path: string,
  origin: string,
  method = "POST",
  headers = "authorization, content-type",
  extra: Record<string, string> = {},
): Promise<Response> {
  return gw.request(path, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": method,
      "access-control-request-headers": headers,
      ...extra,
    },
  });
}

const corsHeaders = (res: Response) =>
  [...res.headers.keys()].filter((name) => name.startsWith("access-control-"));

async function expectForbiddenPreflight(res: Response) {
  assert.equal(res.status, 403);
  const { error } = await res.json();
  assert.equal(error.type, "permission_error");
  assert.equal(error.code, "origin_not_allowed");
  assert.match(error.message, /CORS_ORIGINS/);
  assert.deepEqual(corsHeaders(res), []);
}

Deno.test("CORS unset: no CORS headers; a preflight is a clean 403, never a 401", async (t) => {
  for (const env of [{ API_KEY: KEY }, {}]) {
    const gw = testApp(env);
    const mode = env.API_KEY === undefined ? "no auth" : "API_KEY";
    for (const [path, method] of [["/v1/chat/completions", "POST"], ["/v1/models", "GET"]]) {
      await t.step(`${mode}: preflight ${method} ${path}`, async () => {
        await expectForbiddenPreflight(await preflight(gw, path, APP, method));
      });
    }
    await t.step(`${mode}: answers carry no CORS headers`, async () => {
      const res = await gw.get("/v1/models", { authorization: `Bearer ${KEY}` });
      assert.equal(res.status, 200);
      assert.deepEqual(corsHeaders(res), []);
      await res.body?.cancel();
    });
  }
});

Deno.test("CORS_ORIGINS: a listed origin's preflight is 204 with methods and headers", async (t) => {
  const gw = testApp({ API_KEY: KEY, CORS_ORIGINS: `${APP}, http://localhost:5173` });
  const requested = [
    "Authorization",
    "content-type",
    "x-api-key",
    "anthropic-version",
    "anthropic-beta",
    "x-stainless-os",
    "x-stainless-retry-count",
    "x-stainless-package-version",
    "x-evil-header",
  ].join(", ");
  const paths: Array<[string, string]> = [
    ["/v1/chat/completions", "POST"],
    ["/v1/messages", "POST"],
    ["/v1/models", "GET"],
    ["/v1/files/file-x", "DELETE"],
    ["/trpc/chat.stream", "POST"],
    ["/trpc/chat.complete", "POST"],
  ];
  for (const [path, method] of paths) {
    await t.step(`${method} ${path}`, async () => {
      const res = await preflight(gw, path, APP, method, requested);
      assert.equal(res.status, 204, await res.clone().text());
      assert.equal(res.headers.get("access-control-allow-origin"), APP);
      const methods = res.headers.get("access-control-allow-methods") ?? "";
      for (const m of ["GET", "POST", "DELETE"]) assert.ok(methods.includes(m), methods);
      assert.deepEqual(
        (res.headers.get("access-control-allow-headers") ?? "").split(", "),
        [
          "authorization",
          "content-type",
          "x-api-key",
          "anthropic-version",
          "anthropic-beta",
          "x-stainless-os",
          "x-stainless-retry-count",
          "x-stainless-package-version",
        ],
      );
      assert.match(res.headers.get("vary") ?? "", /origin/i);
      assert.equal(await res.text(), "");
    });
  }
  await t.step("an unlisted origin's preflight is 403", async () => {
    await expectForbiddenPreflight(
      await preflight(gw, "/v1/chat/completions", "https://x.example"),
    );
  });
  const logged = gw.accessLogs().map((l) => l.status);
  assert.ok(logged.every((s) => s === 204 || s === 403), String(logged));
});

Deno.test("CORS_ORIGINS: answers to a listed origin are readable, errors included", async (t) => {
  const gw = testApp({ API_KEY: KEY, CORS_ORIGINS: APP });
  const auth = { authorization: `Bearer ${KEY}`, origin: APP };
  await t.step("a chat answer", async () => {
    const res = await gw.post("/v1/chat/completions", chatBody("mock-echo", "cors"), auth);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("access-control-allow-origin"), APP);
    const exposed = res.headers.get("access-control-expose-headers") ?? "";
    for (const h of ["x-request-id", "retry-after", "x-ratelimit-remaining-requests"]) {
      assert.ok(exposed.includes(h), exposed);
    }
    assert.equal((await res.json()).choices[0].message.content, "cors");
  });
  await t.step("a stream", async () => {
    const res = await gw.post(
      "/v1/chat/completions",
      chatBody("mock-echo", "x", { stream: true }),
      auth,
    );
    assert.equal(res.headers.get("access-control-allow-origin"), APP);
    await res.body?.cancel();
  });
  await t.step("a 401 (the page can read why)", async () => {
    const res = await gw.get("/v1/models", { origin: APP });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("access-control-allow-origin"), APP);
    await res.body?.cancel();
  });
  await t.step("another origin gets no CORS headers", async () => {
    const res = await gw.get("/v1/models", { ...auth, origin: "https://x.example" });
    assert.equal(res.status, 200);
    assert.deepEqual(corsHeaders(res), []);
    await res.body?.cancel();
  });
  await t.step("no Origin, no CORS headers", async () => {
    const res = await gw.get("/v1/models", { authorization: `Bearer ${KEY}` });
    assert.deepEqual(corsHeaders(res), []);
    await res.body?.cancel();
  });
});

Deno.test("CORS_ORIGINS=*: any origin, answered with *", async () => {
  const gw = testApp({ API_KEY: KEY, CORS_ORIGINS: "*" });
  const res = await preflight(gw, "/v1/chat/completions", "https://anything.example");
  assert.equal(res.status, 204);
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
  const answer = await gw.get("/v1/models", {
    authorization: `Bearer ${KEY}`,
    origin: "https://anything.example",
  });
  assert.equal(answer.headers.get("access-control-allow-origin"), "*");
  await answer.body?.cancel();
});

Deno.test("CORS without API_KEY: the Host rule still applies to preflights", async () => {
  const gw = testApp({ CORS_ORIGINS: APP });
  const ok = await preflight(gw, "/v1/chat/completions", APP, "POST", "content-type", {
    host: "127.0.0.1:8000",
  });
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get("access-control-allow-origin"), APP);
  const rebound = await gw.handler(
    new Request(`${ORIGIN}/v1/chat/completions`, {
      method: "OPTIONS",
      headers: {
        host: "attacker.example:8000",
        origin: APP,
        "access-control-request-method": "POST",
      },
    }),
  );
  assert.equal(rebound.status, 403);
  assert.equal((await rebound.json()).error.code, "host_not_allowed");
  // The listed origin's real request then goes through without a key.
  const res = await gw.post("/v1/chat/completions", chatBody("mock-echo", "page"), { origin: APP });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("access-control-allow-origin"), APP);
  await res.body?.cancel();
});
