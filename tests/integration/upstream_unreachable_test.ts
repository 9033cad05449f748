/**
 * An upstream that cannot be reached is a 503 `upstream_unavailable` whose message names the
 * host and the cause (refused, DNS) — never a credential from the configured URL.
 */
import assert from "node:assert/strict";
import { chatBody, testApp } from "../helpers/app.ts";
import { freePort } from "../helpers/server.ts";
import { AWS_TEST_ENV, setEnv } from "./bedrock_harness.ts";

Deno.test("unreachable upstreams: 503 naming host and cause", async (t) => {
  const port = freePort(); // nothing listens there
  await t.step("OpenAI, connection refused (credentials in the base URL stay hidden)", async () => {
    const gw = testApp({
      OPENAI_API_KEY: "sk-test",
      OPENAI_BASE_URL: `http://user:hunter2@127.0.0.1:${port}/v1`,
    });
    const res = await gw.post("/v1/chat/completions", chatBody("gpt-4o-mini"));
    assert.equal(res.status, 503);
    const { error } = await res.json();
    assert.equal(error.code, "upstream_unavailable");
    assert.equal(
      error.message,
      `The OpenAI upstream at 127.0.0.1:${port} could not be reached (connection refused).`,
    );
    assert.doesNotMatch(JSON.stringify(gw.logs()), /hunter2/);
  });
  await t.step("OpenAI, DNS", async () => {
    const gw = testApp({
      OPENAI_API_KEY: "sk-test",
      OPENAI_BASE_URL: "http://gateway-upstream.invalid/v1",
    });
    const { error } = await (await gw.post("/v1/chat/completions", chatBody("gpt-4o-mini"))).json();
    assert.equal(
      error.message,
      "The OpenAI upstream at gateway-upstream.invalid could not be reached (DNS lookup failed).",
    );
  });
  await t.step("Bedrock, connection refused", async () => {
    const restore = setEnv({
      ...AWS_TEST_ENV,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: `http://127.0.0.1:${port}`,
    });
    let res: Response;
    try {
      res = await testApp().post(
        "/v1/chat/completions",
        chatBody("anthropic.claude-3-haiku-20240307-v1:0"),
      );
    } finally {
      restore();
    }
    assert.equal(res.status, 503);
    const { error } = await res.json();
    assert.match(
      error.message,
      /^Bedrock at 127\.0\.0\.1(:\d+)? could not be reached \(connection refused\)\.$/,
    );
  });
});
