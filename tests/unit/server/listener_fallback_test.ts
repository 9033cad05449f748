import assert from "node:assert/strict";
import { silentLogger } from "../../../core/logger.ts";
import { listenWithDenoServe } from "../../../server/listener_fallback.ts";
import type { ListenOptions } from "../../../server/listener.ts";

const options = { hostname: "127.0.0.1", port: 0, reusePort: false } as ListenOptions;

Deno.test("listenWithDenoServe: serves, and a shutdown waits for in-flight requests up to the grace", async (t) => {
  await t.step("nothing in flight: shutdown returns without ending streams", async () => {
    const listener = listenWithDenoServe(() => new Response("ok"), options, silentLogger);
    const res = await fetch(`http://127.0.0.1:${listener.addr.port}/`);
    assert.equal(await res.text(), "ok");
    let expired = false;
    await listener.shutdown(1_000, () => expired = true, 100);
    assert.equal(expired, false);
  });
  await t.step("a request outliving the grace: the app is told to end it", async () => {
    const release = Promise.withResolvers<void>();
    const listener = listenWithDenoServe(
      async () => {
        await release.promise;
        return new Response("late");
      },
      options,
      silentLogger,
    );
    const pending = fetch(`http://127.0.0.1:${listener.addr.port}/`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(listener.connections(), 1);
    const started = Date.now();
    await listener.shutdown(200, () => release.resolve(), 1_000);
    assert.ok(Date.now() - started >= 190, "waited for the grace period");
    assert.equal(await pending, "late");
  });
});
