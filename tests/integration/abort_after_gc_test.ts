/**
 * A client that leaves mid-stream aborts the OpenAI upstream even after a garbage collection:
 * an aborted fetch ends its body only while its Response object is alive, so the provider must
 * keep it referenced (regression: tRPC abort tests hung once the Response had been collected).
 * The probe runs in a child process with `--expose-gc` (`tests/helpers/gc_abort_probe.ts`).
 */
import assert from "node:assert/strict";

Deno.test("after a GC mid-stream, leaving still aborts the upstream (relay and object streams)", async () => {
  const probe = new URL("../helpers/gc_abort_probe.ts", import.meta.url);
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-write",
      "--allow-sys",
      "--unstable-net",
      "--unstable-no-legacy-abort",
      "--v8-flags=--expose-gc",
      "--config",
      new URL("../../deno.json", import.meta.url).pathname,
      probe.pathname,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout).trim().split("\n").at(-1) ?? "";
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  assert.deepEqual(JSON.parse(stdout), { relay: "aborted", objects: "aborted" });
});
