/**
 * Rate-limit test helpers: a gateway over a fresh SQLite store with the fake OpenAI upstream (or
 * two behind an alias), a virtual key with limits, reading the x-ratelimit-* headers and a
 * refusal, waiting for a condition.
 */
import assert from "node:assert/strict";
import type { AliasConfig } from "../../core/deployments/schema.ts";
import type { ModelLimits } from "../../core/limits/schema.ts";
import type { Store } from "../../core/store/store.ts";
import { openSqliteStore } from "../../core/store/sqlite_store.ts";
import {
  chatBody,
  type TestApp,
  testApp,
  type TestAppOptions,
  testAppWithInstances,
} from "./app.ts";
import { type FakeOpenAI } from "../fakes/openai_upstream.ts";

export const ADMIN = "admin-key-51aa";
export const STATIC = "static-key-77c3";
export const MODEL = "gpt-4o-mini";

export interface Gateway extends TestApp {
  store: Store;
  close(): Promise<void>;
}

/** The gateway over a fresh SQLite store, OpenAI at `fake`. */
export function gateway(fake: FakeOpenAI, options: Omit<TestAppOptions, "store"> = {}): Gateway {
  const dir = Deno.makeTempDirSync({ prefix: "limits-test-" });
  const store = openSqliteStore({ dataDir: dir });
  const env = {
    API_KEY: STATIC,
    ADMIN_API_KEY: ADMIN,
    OPENAI_API_KEY: "k",
    OPENAI_BASE_URL: fake.url,
  };
  const gw = testApp(env, { store, ...options });
  return closing(gw, store, dir);
}

/** Two OpenAI upstreams `a` and `b`, the alias `pool` (failover a → b) and `modelLimits`. */
export function poolGateway(a: FakeOpenAI, b: FakeOpenAI, modelLimits: ModelLimits = {}): Gateway {
  const dir = Deno.makeTempDirSync({ prefix: "limits-test-" });
  const store = openSqliteStore({ dataDir: dir });
  const aliases: AliasConfig[] = [{
    name: "pool",
    strategy: "failover",
    deployments: [
      { provider: "a", model: MODEL, weight: 1 },
      { provider: "b", model: MODEL, weight: 1 },
    ],
  }];
  const gw = testAppWithInstances({
    instances: [
      { id: "a", kind: "openai", settings: { api_key: "k", base_url: a.url } },
      { id: "b", kind: "openai", settings: { api_key: "k", base_url: b.url } },
    ],
    aliases,
    modelLimits,
    store,
  }, { API_KEY: STATIC, ADMIN_API_KEY: ADMIN });
  return closing(gw, store, dir);
}

export function closing(gw: TestApp, store: Store, dir: string): Gateway {
  return {
    ...gw,
    store,
    async close() {
      await store.close();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** Creates a virtual key; returns the key. */
export async function keyWith(gw: TestApp, limits: Record<string, unknown>): Promise<string> {
  const res = await gw.post("/admin/keys", { name: "limited", ...limits }, bearer(ADMIN));
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).key;
}

/** The `x-ratelimit-*` headers of a response. */
export function limitHeaders(res: Response): Record<string, string> {
  return Object.fromEntries([...res.headers].filter(([name]) => name.startsWith("x-ratelimit-")));
}

export async function chat(gw: TestApp, key: string, body: unknown = chatBody(MODEL)) {
  const res = await gw.post("/v1/chat/completions", body, bearer(key));
  await res.body?.cancel();
  return res;
}

export async function refusal(res: Response) {
  assert.equal(res.status, 429);
  return (await res.json()).error as { type: string; code: string; message: string };
}

/** Waits until `check` holds (settlements after a stream ends run as it closes). */
export async function until(check: () => Promise<boolean> | boolean, what: string, ms = 5_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
