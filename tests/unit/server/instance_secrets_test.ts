/** `instanceSecrets` (server/environment.ts): every secret-like setting of a config file's instances, for log redaction. */
import assert from "node:assert/strict";
import { instanceSecrets, secretsOf } from "../../../server/environment.ts";
import { parseConfig } from "../../../core/config.ts";

Deno.test("instanceSecrets: keys, tokens, secret keys and credential-named header values", () => {
  const secrets = instanceSecrets([
    {
      id: "up",
      kind: "openai",
      settings: {
        api_key: "sk-up",
        base_url: "https://up.example/v1",
        headers: { "X-Api-Key": "hdr-key", "x-team": "blue", "Proxy-Authorization": "Basic abc" },
      },
    },
    { id: "az", kind: "azure_openai", settings: { azure_ad_token: "entra-tok" } },
    {
      id: "aws",
      kind: "bedrock",
      settings: {
        access_key_id: "AKIDPUBLIC",
        secret_access_key: "aws-secret",
        session_token: "aws-session",
        region: "eu-west-1",
      },
    },
    {
      id: "cf",
      kind: "openai",
      settings: { headers: { "cf-access-token": "cf-tok", Cookie: "c=1" } },
    },
    { id: "mock", kind: "mock" },
    { id: "empty", kind: "openai", settings: { api_key: "" } },
  ]);
  assert.deepEqual(secrets.sort(), [
    "Basic abc",
    "aws-secret",
    "aws-session",
    "c=1",
    "cf-tok",
    "entra-tok",
    "hdr-key",
    "sk-up",
  ]);
});

Deno.test("secretsOf lists the DATABASE_URL and REDIS_URL passwords for redaction", () => {
  const config = parseConfig({
    DATABASE_URL: "postgres://gw:db-pass-1@db/gateway",
    REDIS_URL: "redis://:redis%2Fpass@cache:6379",
  });
  const secrets = secretsOf(config, []);
  assert.ok(secrets.includes("db-pass-1"));
  assert.ok(secrets.includes("redis%2Fpass") && secrets.includes("redis/pass"));
});
