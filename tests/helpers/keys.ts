/**
 * Virtual-key test helpers: a gateway over a fresh SQLite store with an admin key and a static
 * key, requests with a bearer key, creating a key through `/admin/keys`, and reading an error
 * body.
 */
import assert from "node:assert/strict";
import type { Store } from "../../core/store/store.ts";
import { openSqliteStore } from "../../core/store/sqlite_store.ts";
import { type TestApp, testApp } from "./app.ts";

export const ADMIN = "admin-key-9d1c";
export const STATIC = "static-key-4b2e";
export const ENV = { API_KEY: STATIC, ADMIN_API_KEY: ADMIN };

/** A gateway over a fresh SQLite store; `close` closes and removes it. */
export function gateway(
  env: Record<string, string> = ENV,
): TestApp & { store: Store; close(): Promise<void> } {
  const dir = Deno.makeTempDirSync({ prefix: "keys-test-" });
  const store = openSqliteStore({ dataDir: dir });
  const gw = testApp(env, { store });
  return {
    ...gw,
    store,
    async close() {
      await store.close();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}

/** The `Authorization` header of a key. */
export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** A JSON request with a method. */
export function send(gw: TestApp, method: string, path: string, key: string, body?: unknown) {
  return gw.request(path, {
    method,
    headers: {
      ...bearer(key),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export async function createKey(gw: TestApp, body: Record<string, unknown>) {
  const res = await send(gw, "POST", "/admin/keys", ADMIN, body);
  assert.equal(res.status, 200, await res.clone().text());
  return await res.json() as { id: string; key: string } & Record<string, unknown>;
}

export async function errorOf(res: Response, status: number) {
  assert.equal(res.status, status);
  return (await res.json()).error as {
    type: string;
    code: string;
    message: string;
    param: string | null;
  };
}
