/**
 * README's "Deployments and routing" worked example, run as written: its YAML block is the
 * spawned gateway's `GATEWAY_CONFIG`, its variables point at fakes (two OpenAI-compatible
 * servers, the Anthropic API, Bedrock in two "regions" — two fake servers), and each alias
 * behaves as the README says: `smart` fails over from OpenAI to Claude, `haiku` splits between
 * the regions by weight, `cheap` serves the local model and falls back to OpenAI; the local
 * server's `/models` are routable by their own ids and listed in `/v1/models`.
 */
import assert from "node:assert/strict";
import { startFakeAnthropic } from "../fakes/anthropic_upstream.ts";
import { converseText, startFakeBedrock } from "../fakes/bedrock_runtime.ts";
import { completion, errorReply, modelList, startFakeOpenAI } from "../fakes/openai_upstream.ts";
import { spawnGateway } from "../helpers/server.ts";

const ROOT = decodeURIComponent(new URL("../../", import.meta.url).pathname);

/** The first ```yaml block of the README section `heading`. */
function yamlBlock(heading: string): string {
  const readme = Deno.readTextFileSync(`${ROOT}README.md`);
  const start = readme.indexOf(`\n${heading}\n`);
  assert.ok(start !== -1, `README has ${heading}`);
  const section = readme.slice(start, readme.indexOf("\n## ", start + heading.length + 2));
  const block = section.match(/```yaml\n([\s\S]*?)```/);
  assert.ok(block, `a yaml block under ${heading}`);
  return block[1];
}

Deno.test("README: the Deployments and routing example runs against the fakes", async () => {
  await using openai = await startFakeOpenAI({ requireKey: "sk-openai-example" });
  await using local = await startFakeOpenAI();
  await using anthropic = startFakeAnthropic({ requireKey: "sk-ant-example" });
  const us = startFakeBedrock();
  const eu = startFakeBedrock();
  try {
    local.scriptModels(modelList(["llama3", "qwen2.5:7b"]));
    local.respondWith(() => completion({ content: "local answer" }));
    openai.respondWith(() => errorReply(503)); // OpenAI is down: `smart` goes to Claude
    for (const fake of [us, eu]) fake.respondWith(() => converseText("bedrock answer"));
    await using gw = await spawnGateway({
      GATEWAY_CONFIG: "gateway.yaml",
      OPENAI_API_KEY: "sk-openai-example",
      OPENAI_BASE_URL: openai.url,
      LOCAL_LLM_URL: local.url,
      ANTHROPIC_API_KEY: "sk-ant-example",
      ANTHROPIC_BASE_URL: anthropic.url,
      BEDROCK_US_ENDPOINT: us.url,
      BEDROCK_EU_ENDPOINT: eu.url,
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "example-secret",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_CONFIG_FILE: "/nonexistent/aws/config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws/credentials",
    }, { files: { "gateway.yaml": yamlBlock("## Deployments and routing") } });

    const chat = async (model: string) => {
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model, messages: [{ role: "user", content: "Hello" }] }),
      });
      const body = await res.json();
      return { status: res.status, deployment: res.headers.get("x-gateway-deployment"), body };
    };

    const smart = await chat("smart");
    assert.equal(smart.status, 200, JSON.stringify(smart.body));
    assert.equal(smart.deployment, "claude/claude-sonnet-4-5");
    assert.equal(openai.chatRequests.length, 1);
    assert.equal(anthropic.messageRequests.at(-1)?.body?.max_tokens, 4096); // the deployment cap

    const served = new Map<string, number>();
    for (let i = 0; i < 40; i++) {
      const haiku = await chat("haiku");
      assert.equal(haiku.status, 200, JSON.stringify(haiku.body));
      served.set(haiku.deployment!, (served.get(haiku.deployment!) ?? 0) + 1);
    }
    const usCount = served.get("aws-us/us.anthropic.claude-haiku-4-5-20251001-v1:0") ?? 0;
    const euCount = served.get("aws-eu/eu.anthropic.claude-haiku-4-5-20251001-v1:0") ?? 0;
    assert.equal(usCount + euCount, 40);
    assert.ok(usCount > euCount && euCount > 0, `us ${usCount}, eu ${euCount}`);
    assert.equal(us.requests.filter((r) => r.operation === "converse").length, usCount);
    // Each region's requests are signed for its region.
    for (const [fake, region] of [[us, "us-east-1"], [eu, "eu-west-1"]] as const) {
      const signed = fake.requests.find((r) => r.operation === "converse")!;
      assert.match(signed.headers.authorization, new RegExp(`/${region}/bedrock/aws4_request`));
    }

    const cheap = await chat("cheap");
    assert.equal(cheap.deployment, "local/llama3");
    assert.equal(cheap.body.choices[0].message.content, "local answer");
    local.respondWith(() => errorReply(500));
    openai.respondWith(() => completion({ content: "openai answer" }));
    const fallback = await chat("cheap");
    assert.equal(fallback.deployment, "openai/gpt-4.1-mini");

    // The local server's own models route by their ids and are listed.
    local.respondWith(() => completion({ content: "qwen" }));
    assert.equal((await chat("qwen2.5:7b")).deployment, "local/qwen2.5:7b");
    const list = await (await fetch(`${gw.url}/v1/models`)).json();
    const ids = list.data.map((m: { id: string }) => m.id);
    for (const id of ["smart", "haiku", "cheap", "llama3", "qwen2.5:7b"]) {
      assert.ok(ids.includes(id), `${id} in /v1/models`);
    }
    assert.doesNotMatch(gw.stdout(), /sk-openai-example|sk-ant-example|example-secret/);
  } finally {
    await us.close();
    await eu.close();
  }
});
