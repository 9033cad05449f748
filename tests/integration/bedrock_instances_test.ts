/**
 * Bedrock instances with their own credentials and endpoints, from a config file loaded as
 * `main.ts` loads it: `aws-us` and `aws-eu` in two regions, each with its own `endpoint` (two fake
 * Bedrock servers) and static keys. Each instance's requests reach its own fake, SigV4-signed
 * with its own key for its own region — not with the environment's keys. A `profile` is read from
 * the shared files (`AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE`); `role_arn` is assumed on
 * top of static keys through a fake STS.
 */
import assert from "node:assert/strict";
import { parseConfig } from "../../core/config.ts";
import { configuredInstances } from "../../server/instances.ts";
import { type FakeBedrock, startFakeBedrock } from "../fakes/bedrock_runtime.ts";
import { startFakeSts } from "../fakes/sts.ts";
import { BASE_ENV, chatBody, testAppWithInstances } from "../helpers/app.ts";
import { AWS_TEST_ENV, runtimeRequests, setEnv } from "./bedrock_harness.ts";

const MODEL = "amazon.nova-lite-v1:0";

/** The SigV4 credential scope of a signed request: key id, region, service. */
function scopeOf(authorization: string | undefined) {
  const match = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(
    authorization ?? "",
  );
  assert.ok(match, `a SigV4 Authorization header: ${authorization}`);
  return { accessKeyId: match[1], region: match[2], service: match[3] };
}

/** A gateway from `yaml` (a config file in a temp dir), the process environment isolated. */
function gatewayFrom(yaml: string, aws: Record<string, string | undefined> = {}) {
  const dir = Deno.makeTempDirSync({ prefix: "bedrock-instances-" });
  const restore = setEnv({
    ...AWS_TEST_ENV,
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: undefined,
    AWS_ENDPOINT_URL_BEDROCK: undefined,
    ...aws,
  });
  Deno.writeTextFileSync(`${dir}/gateway.yaml`, yaml);
  const env = { ...BASE_ENV, GATEWAY_CONFIG: `${dir}/gateway.yaml` };
  const { instances } = configuredInstances(parseConfig(env), env);
  const gw = testAppWithInstances(instances, env);
  return {
    gw,
    dir,
    [Symbol.dispose]() {
      restore();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}

async function chat(gw: ReturnType<typeof gatewayFrom>["gw"], model: string, stream = false) {
  const res = await gw.post("/v1/chat/completions", chatBody(model, "Hi", { stream }));
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return text;
}

Deno.test("two bedrock instances: each reaches its own endpoint, signed for its own region", async () => {
  const us: FakeBedrock = startFakeBedrock();
  const eu: FakeBedrock = startFakeBedrock();
  try {
    using h = gatewayFrom(`providers:
  aws-us:
    kind: bedrock
    region: us-east-1
    endpoint: "${us.url}"
    access_key_id: AKIDUSEAST
    secret_access_key: us-secret-0123
  aws-eu:
    kind: bedrock
    region: eu-west-1
    endpoint: "${eu.url}/"
    access_key_id: AKIDEUWEST
    secret_access_key: eu-secret-0123
    session_token: eu-session-0123
`);
    await chat(h.gw, `aws-us/${MODEL}`);
    await chat(h.gw, `aws-eu/${MODEL}`, true);
    await chat(h.gw, `aws-eu/${MODEL}`);

    const [toUs] = runtimeRequests(us);
    assert.equal(runtimeRequests(us).length, 1);
    assert.equal(runtimeRequests(eu).length, 2);
    assert.equal(toUs.modelId, MODEL);
    assert.deepEqual(scopeOf(toUs.headers.authorization), {
      accessKeyId: "AKIDUSEAST",
      region: "us-east-1",
      service: "bedrock",
    });
    assert.equal(toUs.headers["x-amz-security-token"], undefined);
    for (const request of runtimeRequests(eu)) {
      assert.deepEqual(scopeOf(request.headers.authorization), {
        accessKeyId: "AKIDEUWEST",
        region: "eu-west-1",
        service: "bedrock",
      });
      assert.equal(request.headers["x-amz-security-token"], "eu-session-0123");
    }
    assert.deepEqual(runtimeRequests(eu).map((r) => r.operation), ["converse-stream", "converse"]);

    const health = await (await h.gw.get("/health")).json();
    assert.deepEqual(health.providers, { "aws-us": "configured", "aws-eu": "configured" });
    assert.deepEqual(health.credentials, { "aws-us": "resolved", "aws-eu": "resolved" });
    for (const secret of ["us-secret-0123", "eu-secret-0123", "eu-session-0123"]) {
      assert.ok(!h.gw.logLines.some((line) => line.includes(secret)), "no secret logged");
    }
  } finally {
    await us.close();
    await eu.close();
  }
});

Deno.test("bedrock profile: keys from the shared files' profile, not the environment's", async () => {
  const fake = startFakeBedrock();
  const dir = Deno.makeTempDirSync({ prefix: "aws-profile-" });
  try {
    Deno.writeTextFileSync(
      `${dir}/credentials`,
      "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d\n\n" +
        "[team]\naws_access_key_id = AKIDTEAMPROFILE\naws_secret_access_key = team-secret\n",
    );
    Deno.writeTextFileSync(`${dir}/config`, "[profile team]\nregion = ap-northeast-1\n");
    using h = gatewayFrom(
      `providers:
  aws-jp:
    kind: bedrock
    region: ap-northeast-1
    profile: team
    endpoint: "${fake.url}"
`,
      { AWS_SHARED_CREDENTIALS_FILE: `${dir}/credentials`, AWS_CONFIG_FILE: `${dir}/config` },
    );
    await chat(h.gw, `aws-jp/${MODEL}`);
    const [request] = runtimeRequests(fake);
    assert.deepEqual(scopeOf(request.headers.authorization), {
      accessKeyId: "AKIDTEAMPROFILE",
      region: "ap-northeast-1",
      service: "bedrock",
    });
  } finally {
    await fake.close();
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("bedrock profile the shared files lack: 503 provider_not_configured naming the fix", async () => {
  const fake = startFakeBedrock();
  try {
    using h = gatewayFrom(`providers:
  aws:
    kind: bedrock
    profile: nowhere
    endpoint: "${fake.url}"
`);
    const res = await h.gw.post("/v1/chat/completions", chatBody(`aws/${MODEL}`, "Hi"));
    const { error } = await res.json();
    assert.equal(res.status, 503);
    assert.equal(error.code, "provider_not_configured");
    assert.match(error.message, /a profile the shared AWS files define/);
    assert.equal(runtimeRequests(fake).length, 0, "nothing unsigned reaches Bedrock");
  } finally {
    await fake.close();
  }
});

Deno.test("bedrock role_arn on top of static keys: STS called with them, Bedrock with the role", async () => {
  const fake = startFakeBedrock();
  await using sts = startFakeSts([3_600_000]);
  try {
    using h = gatewayFrom(
      `providers:
  aws:
    kind: bedrock
    region: eu-central-1
    endpoint: "${fake.url}"
    access_key_id: AKIDBASEKEYS
    secret_access_key: base-secret
    role_arn: arn:aws:iam::123456789012:role/bedrock-caller
    role_session_name: gw-instance
`,
      { AWS_ENDPOINT_URL_STS: sts.url },
    );
    await chat(h.gw, `aws/${MODEL}`);
    await chat(h.gw, `aws/${MODEL}`);
    // One AssumeRole for /health's background check, one for the client, which reuses it.
    assert.ok(sts.calls.length >= 1 && sts.calls.length <= 2, `${sts.calls.length} STS calls`);
    for (const call of sts.calls) {
      assert.equal(call.params.get("RoleArn"), "arn:aws:iam::123456789012:role/bedrock-caller");
      assert.equal(call.params.get("RoleSessionName"), "gw-instance");
      assert.match(call.authorization, /Credential=AKIDBASEKEYS\/\d{8}\/eu-central-1\/sts\//);
    }
    const scopes = runtimeRequests(fake).map((r) => scopeOf(r.headers.authorization));
    assert.equal(scopes.length, 2);
    assert.equal(new Set(scopes.map((s) => s.accessKeyId)).size, 1, "one session for both");
    for (const scope of scopes) {
      assert.match(scope.accessKeyId, /^ASIAASSUMED[12]$/, "signed with the role's keys");
      assert.equal(scope.region, "eu-central-1");
    }
  } finally {
    await fake.close();
  }
});
