/**
 * Memory per request on the real process: a 4 MiB chat request raises the gateway's peak RSS
 * (`VmHWM`) by a bounded multiple of its size — through the OpenAI path (real SDK to the fake
 * upstream) and the mock. The bound here is generous (the machine is shared); `deno task bench`
 * quotes the measured ratio.
 */
import assert from "node:assert/strict";
import { completion, startFakeOpenAI } from "../fakes/openai_upstream.ts";
import { spawnGateway } from "../helpers/server.ts";
import { peakRssMiB, resetPeakRss, rssMiB } from "../performance/proc.ts";

const MIB = 1024 * 1024;
/** Generous: measured about 8× (README, Reliability). Before the bounded reader it was 10–59×. */
const MAX_RATIO = 16;

function bigBody(model: string, bytes: number): string {
  const word = "lorem ipsum dolor sit amet ";
  const content = word.repeat(Math.ceil(bytes / word.length)).slice(0, bytes);
  return JSON.stringify({ model, messages: [{ role: "user", content }] });
}

Deno.test({
  name: "memory: a 4 MiB request costs a bounded multiple of its size",
  ignore: Deno.build.os !== "linux", // reads /proc
  async fn(t) {
    await using fake = await startFakeOpenAI();
    await using gw = await spawnGateway({
      WORKERS: "1",
      OPENAI_API_KEY: "test",
      OPENAI_BASE_URL: fake.url,
      LOG_LEVEL: "warn",
    });
    const pid = gw.child.pid;
    const send = async (body: string) => {
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      assert.equal(res.status, 200);
      return await res.text();
    };
    // Warm up both paths so code and pools are in place before measuring.
    fake.script(completion({ content: "warm" }));
    await send(bigBody("gpt-4o", 1024));
    await send(bigBody("mock-echo", 1024));

    for (const model of ["gpt-4o", "mock-echo"]) {
      await t.step(model, async () => {
        if (model === "gpt-4o") fake.script(completion({ content: "ok" }));
        const body = bigBody(model, 4 * MIB);
        await resetPeakRss(pid);
        const idle = await rssMiB(pid);
        const answer = await send(body);
        if (model === "mock-echo") assert.ok(answer.length > 4 * MIB); // the echo came back
        const peak = await peakRssMiB(pid);
        const ratio = (peak - idle) * MIB / body.length;
        console.log(
          `${model}: idle ${idle.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB, ${
            ratio.toFixed(1)
          }× the request`,
        );
        assert.ok(
          ratio <= MAX_RATIO,
          `${model}: peak extra memory ${ratio.toFixed(1)}× > ${MAX_RATIO}×`,
        );
      });
    }
  },
});
