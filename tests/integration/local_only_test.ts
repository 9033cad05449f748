/**
 * Without API_KEY the gateway serves only its local user, not the web pages they visit: a
 * loopback Host (DNS rebinding), no foreign Origin unless CORS_ORIGINS lists it, and a JSON
 * content type on JSON routes (a cross-site form or text/plain POST needs no preflight). With
 * API_KEY set and the key given, the same requests are served as before.
 */
import assert from "node:assert/strict";
import { TRPCClientError } from "@trpc/client";
import { createGatewayClient } from "../../routers/client.ts";
import { chatBody, ORIGIN, type TestApp, testApp } from "../helpers/app.ts";

const CHAT = JSON.stringify(chatBody("mock-echo", "local"));
const KEY = "local-key";

/** Sends one request to `url` (absolute) with `headers`; JSON chat body for POST. */
function send(
  gw: TestApp,
  method: "GET" | "POST",
  url: string,
  headers: Record<string, string>,
  body: BodyInit | undefined = method === "POST" ? CHAT : undefined,
): Promise<Response> {
  return gw.handler(new Request(url, { method, headers, body }));
}

async function expectRefused(res: Response, status: number, type: string, code: string) {
  const text = await res.text();
  assert.equal(res.status, status, text);
  const { error } = JSON.parse(text);
  assert.equal(error.type, type, text);
  assert.equal(error.code, code, text);
  return error as { message: string; param: string | null };
}

async function expectServed(res: Response) {
  const text = await res.text();
  assert.equal(res.status, 200, text);
}

const JSON_HEADERS = { "content-type": "application/json" };

Deno.test("no auth: only a loopback Host is served (DNS rebinding)", async (t) => {
  const gw = testApp();
  const rows: Array<[string, boolean]> = [
    ["127.0.0.1:8000", true],
    ["127.0.0.1", true],
    ["127.10.20.30:8000", true],
    ["localhost:8000", true],
    ["localhost", true],
    ["LocalHost:8000", true],
    ["[::1]:8000", true],
    ["[::1]", true],
    ["attacker.example", false],
    ["attacker.example:8000", false],
    ["localhost.attacker.example:8000", false],
    ["127.0.0.1.nip.io:8000", false],
    ["localhost:8000.attacker.example", false],
    ["[::ffff:127.0.0.1]:8000", false],
    ["0.0.0.0:8000", false],
    ["192.168.1.10:8000", false],
  ];
  for (const [host, served] of rows) {
    await t.step(`Host: ${host} → ${served ? "served" : "403"}`, async () => {
      const calls: Array<["GET" | "POST", string]> = [
        ["GET", "/v1/models"],
        ["GET", "/v1/files/file-nope/content"],
        ["POST", "/v1/chat/completions"],
        ["GET", "/trpc/models.list"],
        ["GET", "/health"],
      ];
      for (const [method, path] of calls) {
        const res = await send(gw, method, ORIGIN + path, { ...JSON_HEADERS, host });
        if (served) {
          assert.notEqual(res.status, 403, `${method} ${path}`);
          await res.body?.cancel();
        } else if (path.startsWith("/trpc/")) {
          assert.equal(res.status, 403);
          const { error } = await res.json(); // tRPC's error shape (superjson)
          assert.equal(error.json.data.gateway.code, "host_not_allowed");
        } else {
          const error = await expectRefused(res, 403, "permission_error", "host_not_allowed");
          assert.match(error.message, /API_KEY/);
        }
      }
    });
  }
  await t.step("a foreign host in the URL (no Host header) → 403", async () => {
    const res = await send(gw, "GET", "http://attacker.example/v1/models", {});
    await expectRefused(res, 403, "permission_error", "host_not_allowed");
  });
  await t.step("the refusal is in the Anthropic envelope on /v1/messages", async () => {
    const res = await send(gw, "POST", `${ORIGIN}/v1/messages`, {
      ...JSON_HEADERS,
      host: "attacker.example",
    });
    assert.equal(res.status, 403);
    const body = await res.json();
    assert.equal(body.type, "error");
    assert.equal(body.error.type, "permission_error");
  });
  await t.step("the typed tRPC client gets FORBIDDEN / host_not_allowed", async () => {
    const client = createGatewayClient({
      url: "http://attacker.example:8000",
      fetch: (input, init) => gw.handler(new Request(input, init)),
    });
    for (const call of [() => client.health.query(), () => client.models.list.query()]) {
      const error = await call().then(() => assert.fail("expected an error"), (e) => e);
      assert.ok(error instanceof TRPCClientError, String(error));
      assert.equal(error.data?.code, "FORBIDDEN");
      assert.equal(error.data?.httpStatus, 403);
      assert.equal(error.data?.gateway.code, "host_not_allowed");
      assert.match(error.message, /API_KEY/);
    }
  });
  const refused = gw.accessLogs().filter((l) => l.status === 403);
  assert.ok(refused.length > 0 && refused.every((l) => l.error_code === "host_not_allowed"));
});

Deno.test("no auth: a foreign Origin is refused unless CORS_ORIGINS lists it", async (t) => {
  const rows: Array<{ name: string; env?: Record<string, string>; origin: string; ok: boolean }> = [
    { name: "same origin (localhost)", origin: "http://localhost:8000", ok: true },
    { name: "same origin, upper case", origin: "HTTP://LOCALHOST:8000", ok: true },
    { name: "cross-site page", origin: "https://attacker.example", ok: false },
    { name: "opaque origin (sandboxed iframe)", origin: "null", ok: false },
    { name: "another local port", origin: "http://localhost:3000", ok: false },
    { name: "other loopback name, same port", origin: "http://127.0.0.1:8000", ok: false },
    {
      name: "listed in CORS_ORIGINS",
      env: { CORS_ORIGINS: "https://app.example, http://localhost:3000" },
      origin: "https://app.example",
      ok: true,
    },
    {
      name: "another local port, listed",
      env: { CORS_ORIGINS: "https://app.example, http://localhost:3000" },
      origin: "http://localhost:3000",
      ok: true,
    },
    {
      name: "not the listed one",
      env: { CORS_ORIGINS: "https://app.example" },
      origin: "https://app.example.attacker.example",
      ok: false,
    },
    { name: "CORS_ORIGINS=*", env: { CORS_ORIGINS: "*" }, origin: "https://any.example", ok: true },
  ];
  for (const row of rows) {
    await t.step(`${row.name}: Origin ${row.origin} → ${row.ok ? "served" : "403"}`, async () => {
      const gw = testApp(row.env);
      for (const [method, path] of [["POST", "/v1/chat/completions"], ["GET", "/v1/models"]]) {
        const res = await send(gw, method as "GET" | "POST", ORIGIN + path, {
          ...JSON_HEADERS,
          host: "localhost:8000",
          origin: row.origin,
        });
        if (row.ok) await expectServed(res);
        else {
          const error = await expectRefused(res, 403, "permission_error", "origin_not_allowed");
          assert.match(error.message, /CORS_ORIGINS/);
        }
      }
    });
  }
});

/** [name, content-type header (undefined: none), served] */
const CONTENT_TYPES: Array<[string, string | undefined, boolean]> = [
  ["application/json", "application/json", true],
  ["with charset", "application/json; charset=utf-8", true],
  ["upper case", "Application/JSON", true],
  ["a +json type", "application/vnd.api+json", true],
  ["text/plain", "text/plain", false],
  ["text/plain with charset", "text/plain;charset=UTF-8", false],
  ["form POST", "application/x-www-form-urlencoded", false],
  ["multipart form", "multipart/form-data; boundary=x", false],
  ["json-ish text", "text/json", false],
  ["missing", undefined, false],
];

Deno.test("no auth: JSON routes need a JSON content type", async (t) => {
  const gw = testApp();
  const bodies: Array<[string, string]> = [
    ["/v1/chat/completions", CHAT],
    [
      "/v1/messages",
      JSON.stringify({
        model: "mock-echo",
        max_tokens: 16,
        messages: [{ role: "user", content: "hi" }],
      }),
    ],
    ["/trpc/chat.complete", JSON.stringify({ json: chatBody("mock-echo", "trpc") })],
  ];
  for (const [name, type, served] of CONTENT_TYPES) {
    await t.step(`${name} → ${served ? "served" : "415"}`, async () => {
      for (const [path, body] of bodies) {
        // tRPC itself takes application/json only.
        if (path.startsWith("/trpc/") && type?.includes("+json")) continue;
        const headers: Record<string, string> = type === undefined ? {} : { "content-type": type };
        // A byte body gets no content type of its own.
        const res = await send(gw, "POST", ORIGIN + path, headers, new TextEncoder().encode(body));
        if (served) {
          await expectServed(res);
          continue;
        }
        assert.equal(res.status, 415, path);
        const text = await res.text();
        assert.match(text, /content-type: application\/json/, path);
        if (path === "/v1/messages") {
          assert.equal(JSON.parse(text).error.type, "invalid_request_error");
        } else if (path.startsWith("/v1/")) {
          const { error } = JSON.parse(text);
          assert.equal(error.type, "invalid_request_error");
          assert.equal(error.code, "unsupported_media_type");
          assert.equal(error.param, "content-type");
        }
      }
    });
  }
  await t.step("file uploads stay multipart", async () => {
    const form = new FormData();
    form.append("purpose", "assistants");
    form.append("file", new File(["hello"], "a.txt", { type: "text/plain" }));
    const res = await gw.request("/v1/files", { method: "POST", body: form });
    assert.equal(res.status, 200, await res.clone().text());
    const { id } = await res.json();
    await (await gw.request(`/v1/files/${id}`, { method: "DELETE" })).body?.cancel();
  });
  await t.step("a 405 stays a 405 whatever the content type", async () => {
    const res = await gw.request("/v1/models", { method: "POST", body: "x" });
    assert.equal(res.status, 405);
    await res.body?.cancel();
  });
});

Deno.test("with API_KEY and the key, the same requests are served (and without it: 401)", async (t) => {
  const gw = testApp({ API_KEY: KEY });
  const auth = { authorization: `Bearer ${KEY}` };
  const rows: Array<[string, Record<string, string>, BodyInit]> = [
    ["foreign Host", { ...JSON_HEADERS, host: "gateway.example.com" }, CHAT],
    ["foreign Host with port", { ...JSON_HEADERS, host: "attacker.example:8000" }, CHAT],
    ["foreign Origin", { ...JSON_HEADERS, origin: "https://attacker.example" }, CHAT],
    ["text/plain body", { "content-type": "text/plain" }, CHAT],
    ["form body (curl -d)", { "content-type": "application/x-www-form-urlencoded" }, CHAT],
    ["missing content type", {}, new TextEncoder().encode(CHAT)],
  ];
  for (const [name, headers, body] of rows) {
    await t.step(name, async () => {
      await expectServed(
        await send(gw, "POST", `${ORIGIN}/v1/chat/completions`, { ...headers, ...auth }, body),
      );
      if (headers["content-type"] === "application/json") {
        await expectServed(await send(gw, "GET", `${ORIGIN}/v1/models`, { ...headers, ...auth }));
      }
      const denied = await send(gw, "POST", `${ORIGIN}/v1/chat/completions`, headers, body);
      await expectRefused(denied, 401, "authentication_error", "invalid_api_key");
    });
  }
});
