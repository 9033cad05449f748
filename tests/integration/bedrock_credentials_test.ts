/**
 * Bedrock credentials as the installed AWS SDK resolves them, through the gateway: missing
 * credentials → 503 `provider_not_configured` with the fix; `AWS_BEARER_TOKEN_BEDROCK` sent as
 * a bearer token (never logged); `AWS_ROLE_ARN` assumed on top of the base keys through (a fake)
 * STS, cached and refreshed before it expires.
 */
import assert from "node:assert/strict";
import { chatBody } from "../helpers/app.ts";
import { bedrockGateway, runtimeRequests } from "./bedrock_harness.ts";
import { startFakeSts } from "../fakes/sts.ts";

const MODEL = "amazon.nova-lite-v1:0";

Deno.test("no credentials anywhere → 503 provider_not_configured naming the fix", async () => {
  await using h = bedrockGateway({
    aws: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
  });
  for (const stream of [false, true]) {
    const res = await h.gw.post("/v1/chat/completions", chatBody(MODEL, "Hi", { stream }));
    assert.equal(res.status, 503);
    const { error } = await res.json();
    assert.equal(error.type, "api_error");
    assert.equal(error.code, "provider_not_configured");
    assert.match(error.message, /AWS_ACCESS_KEY_ID/);
    assert.match(error.message, /AWS_PROFILE/);
  }
  assert.equal(runtimeRequests(h.fake).length, 0);
});

Deno.test("AWS_BEARER_TOKEN_BEDROCK is sent as Authorization: Bearer and never logged", async () => {
  const token = "bedrock-api-key-ABSKQmVkcm9ja0FQSUtleQ";
  await using h = bedrockGateway({
    aws: {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_BEARER_TOKEN_BEDROCK: token,
    },
  });
  const res = await h.gw.post("/v1/chat/completions", chatBody(MODEL));
  assert.equal(res.status, 200);
  await res.body?.cancel();
  const [req] = runtimeRequests(h.fake);
  assert.equal(req.headers.authorization, `Bearer ${token}`);
  assert.equal(req.accessKeyId, undefined);
  assert.ok(!h.gw.logLines.some((line) => line.includes(token)));
  const health = await (await h.gw.get("/health")).json();
  assert.equal(health.providers.bedrock, "configured");
});

Deno.test("AWS_ROLE_ARN is assumed on top of the base keys, cached, refreshed before expiry", async () => {
  // The first session expires in 2 minutes, inside the SDK's 5-minute refresh window, so it is
  // replaced before it is ever used; the second lasts an hour and is reused by every call.
  await using sts = startFakeSts([120_000, 3_600_000]);
  await using h = bedrockGateway({
    aws: { AWS_ENDPOINT_URL_STS: sts.url },
    env: {
      AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/gateway",
      AWS_EXTERNAL_ID: "ext-42",
      AWS_ROLE_SESSION_NAME: "gw-test",
    },
  });
  for (let i = 0; i < 3; i++) {
    const res = await h.gw.post("/v1/chat/completions", chatBody(MODEL));
    assert.equal(res.status, 200);
    await res.body?.cancel();
  }
  assert.equal(sts.calls.length, 2);
  const [first] = sts.calls;
  assert.equal(first.params.get("Action"), "AssumeRole");
  assert.equal(first.params.get("RoleArn"), "arn:aws:iam::123456789012:role/gateway");
  assert.equal(first.params.get("ExternalId"), "ext-42");
  assert.equal(first.params.get("RoleSessionName"), "gw-test");
  assert.match(first.authorization, /Credential=AKIDTEST\//, "STS is called with the base keys");

  const signedWith = runtimeRequests(h.fake).map((r) => r.accessKeyId);
  assert.deepEqual(signedWith, ["ASIAASSUMED2", "ASIAASSUMED2", "ASIAASSUMED2"]);
  assert.equal(runtimeRequests(h.fake)[0].headers["x-amz-security-token"], "assumed-session-2");
});
