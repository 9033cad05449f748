/**
 * MAX_RESPONSE_BYTES on a spawned gateway: a 100 MiB non-streaming answer (OpenAI JSON, Bedrock
 * Converse; chunked, no length announced) is a 502 and the gateway's peak RSS grows by far less
 * than the answer (it took RSS to 1.1 GB before the bound). The peak is read from
 * `/proc/<pid>/status` (VmHWM); with WORKERS=1 the spawned process is the server itself.
 */
import assert from "node:assert/strict";
import { startFaultServer } from "../fakes/fault_server.ts";
import { spawnGateway } from "../helpers/server.ts";
import { AWS_TEST_ENV } from "../integration/bedrock_harness.ts";

const BIG = 100 * 1024 * 1024;
/** Generous: the bound is 64 MiB of buffered chunks; an unbounded read took ~1 GB. */
const MAX_GROWTH_MIB = 400;

/** VmHWM of `pid`, read through `cat` (reading /proc directly needs --allow-all). */
function peakRssMiB(pid: number): number {
  const { stdout } = new Deno.Command("cat", { args: [`/proc/${pid}/status`] }).outputSync();
  const status = new TextDecoder().decode(stdout);
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

Deno.test({
  name: "a 100 MiB upstream answer is a 502 and does not take the gateway's memory",
  ignore: Deno.build.os !== "linux",
  fn: async (t) => {
    await using faults = startFaultServer();
    await using gw = await spawnGateway({
      ...AWS_TEST_ENV,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: faults.url,
      OPENAI_API_KEY: "test",
      OPENAI_BASE_URL: `${faults.url}/v1`,
    });
    const pid = gw.child.pid;
    const rows = [
      {
        name: "OpenAI JSON",
        model: "gpt-4o-mini",
        answer: { choices: [{ message: { role: "assistant", content: "x".repeat(BIG) } }] },
      },
      {
        name: "Bedrock Converse",
        model: "amazon.nova-lite-v1:0",
        answer: {
          output: { message: { role: "assistant", content: [{ text: "x".repeat(BIG) }] } },
        },
      },
    ];
    for (const row of rows) {
      await t.step(row.name, async () => {
        const before = peakRssMiB(pid);
        faults.script({ kind: "respond", chunked: true, body: JSON.stringify(row.answer) });
        const res = await fetch(`${gw.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: row.model, messages: [{ role: "user", content: "x" }] }),
        });
        assert.equal(res.status, 502);
        assert.match((await res.json()).error.message, /MAX_RESPONSE_BYTES/);
        const growth = peakRssMiB(pid) - before;
        console.log(`${row.name}: peak RSS +${growth.toFixed(0)} MiB for a 100 MiB answer`);
        assert.ok(growth < MAX_GROWTH_MIB, `peak RSS grew by ${growth.toFixed(0)} MiB`);
      });
    }
  },
});
