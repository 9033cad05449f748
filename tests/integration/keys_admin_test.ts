/**
 * Virtual keys' admin API in process on a real SQLite store: the admin routes' 401/403, the
 * default admin key, invalid fields and paging as 400s naming the field, and generated bodies
 * that never make a 5xx.
 */
import assert from "node:assert/strict";
import { chatBody } from "../helpers/app.ts";
import { ADMIN, bearer, createKey, errorOf, gateway, send, STATIC } from "../helpers/keys.ts";

Deno.test("keys: admin routes — no key 401, static or virtual key 403, admin key 200", async () => {
  const gw = gateway();
  try {
    const { id, key } = await createKey(gw, { name: "user" });
    const routes: [string, string, unknown?][] = [
      ["POST", "/admin/keys", { name: "x" }],
      ["GET", "/admin/keys"],
      ["GET", `/admin/keys/${id}`],
      ["PATCH", `/admin/keys/${id}`, { name: "y" }],
      ["DELETE", `/admin/keys/${id}`],
    ];
    for (const [method, path, body] of routes) {
      const none = await gw.request(path, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: { "content-type": "application/json" },
      });
      assert.equal((await errorOf(none, 401)).code, "invalid_api_key", `${method} ${path}`);
      for (const other of [STATIC, key]) {
        const e = await errorOf(await send(gw, method, path, other, body), 403);
        assert.deepEqual(
          [e.type, e.code],
          ["permission_error", "permission_denied"],
          `${method} ${path}`,
        );
      }
    }
    for (const [method, path, body] of routes) {
      const res = await send(gw, method, path, ADMIN, body);
      assert.equal(res.status, 200, `${method} ${path}: ${await res.clone().text()}`);
      await res.body?.cancel();
    }
    // The admin key is also a client key.
    assert.equal(
      (await gw.post("/v1/chat/completions", chatBody("mock-echo"), bearer(ADMIN))).status,
      200,
    );
    assert.equal((await send(gw, "PUT", "/admin/keys", ADMIN)).status, 405);
  } finally {
    await gw.close();
  }
});

Deno.test("keys: the first API_KEY is the admin key when ADMIN_API_KEY is unset", async () => {
  const gw = gateway({ API_KEY: "first-key,second-key" });
  try {
    assert.equal((await send(gw, "GET", "/admin/keys", "first-key")).status, 200);
    assert.equal((await send(gw, "GET", "/admin/keys", "second-key")).status, 403);
  } finally {
    await gw.close();
  }
});

Deno.test("keys: invalid fields are 400s naming the field; paging is validated", async () => {
  const gw = gateway();
  try {
    const cases: [unknown, string, RegExp][] = [
      [{ name: "x", rpm_limit: 0 }, "rpm_limit", /rpm_limit must be a positive integer/],
      [{ name: "x", tpm_limit: "lots" }, "tpm_limit", /tpm_limit must be a positive integer/],
      [{ name: "x", max_budget_usd: -3 }, "max_budget_usd", /max_budget_usd must be a positive/],
      [{ name: "x", budget_period: "hourly" }, "budget_period", /budget_period must be/],
      [{ name: "x", expires_at: "soon" }, "expires_at", /expires_at must be/],
      [{ name: "x", models: [1] }, "models.0", /each models entry must be a string/],
      [{ team: "t" }, "name", /name is required/],
      [{ name: "x", admin: true }, "admin", /unknown field 'admin'/],
    ];
    for (const [body, param, message] of cases) {
      const e = await errorOf(await send(gw, "POST", "/admin/keys", ADMIN, body), 400);
      assert.equal(e.type, "invalid_request_error");
      assert.equal(e.param, param);
      assert.match(e.message, message);
    }
    const notJson = await gw.request("/admin/keys", {
      method: "POST",
      headers: { ...bearer(ADMIN), "content-type": "application/json" },
      body: "{",
    });
    assert.equal(notJson.status, 400);
    await notJson.body?.cancel();
    const { id } = await createKey(gw, { name: "p" });
    const e = await errorOf(
      await send(gw, "PATCH", `/admin/keys/${id}`, ADMIN, { max_parallel: 0 }),
      400,
    );
    assert.equal(e.param, "max_parallel");
    assert.equal(
      (await errorOf(await send(gw, "GET", "/admin/keys?limit=0", ADMIN), 400)).param,
      "limit",
    );
    assert.equal(
      (await errorOf(await send(gw, "PATCH", "/admin/keys/key_nope", ADMIN, {}), 404)).code,
      "key_not_found",
    );
  } finally {
    await gw.close();
  }
});

Deno.test("keys: GET /admin/keys pages newest first, with after and has_more", async () => {
  const gw = gateway();
  try {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createKey(gw, { name: `k${i}` })).id);
    const all = await (await send(gw, "GET", "/admin/keys?order=asc", ADMIN)).json();
    assert.equal(all.object, "list");
    assert.deepEqual(all.data.map((k: { name: string }) => k.name), ["k0", "k1", "k2"]);
    const page =
      await (await send(gw, "GET", `/admin/keys?order=asc&limit=1&after=${all.data[0].id}`, ADMIN))
        .json();
    assert.deepEqual([page.data.map((k: { name: string }) => k.name), page.has_more], [
      ["k1"],
      true,
    ]);
    assert.ok(all.data.every((k: Record<string, unknown>) => !("key" in k) && !("hash" in k)));
    assert.deepEqual(new Set(all.data.map((k: { id: string }) => k.id)), new Set(ids));
  } finally {
    await gw.close();
  }
});

Deno.test("keys: 400 generated create and update bodies answer 200 or a well-formed 400, never 5xx", async () => {
  const fc = (await import("fast-check")).default;
  const gw = gateway();
  try {
    const { id } = await createKey(gw, { name: "target" });
    const value = fc.oneof(
      fc.integer({ min: -5, max: 1e6 }),
      fc.double(),
      fc.string({ maxLength: 12 }),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue(), { maxKeys: 3 }),
      fc.constantFrom("daily", "weekly", "monthly", "2030-01-31T00:00:00Z", "mock-*"),
    );
    const fields = [
      "name",
      "team",
      "models",
      "rpm_limit",
      "tpm_limit",
      "max_parallel",
      "max_budget_usd",
      "budget_period",
      "expires_at",
      "metadata",
      "enabled",
      "bogus",
    ];
    const body = fc.dictionary(fc.constantFrom(...fields), value, { maxKeys: 6 });
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async (b, update) => {
        const res = update
          ? await send(gw, "PATCH", `/admin/keys/${id}`, ADMIN, b)
          : await send(gw, "POST", "/admin/keys", ADMIN, b);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const answer = await res.json();
        if (res.status === 200) {
          assert.equal(answer.object, "virtual_key");
          return;
        }
        assert.equal(res.status, 400, JSON.stringify({ b, answer }));
        assert.equal(answer.error.type, "invalid_request_error");
        assert.equal(typeof answer.error.message, "string");
        assert.ok(answer.error.param === null || typeof answer.error.param === "string");
      }),
      { seed: 20_261_202, numRuns: 400 },
    );
    assert.ok(
      (statuses.get(200) ?? 0) > 10 && (statuses.get(400) ?? 0) > 10,
      JSON.stringify([...statuses]),
    );
  } finally {
    await gw.close();
  }
});
