/**
 * The per-kind settings of issue 14 as a config file states them, through the file loader (each
 * kind's strict schema, one line per problem naming the path and the fix): `openai` headers and
 * models, `azure_openai` (endpoint, api_version, one credential, deployments, headers), `bedrock`
 * profile, static keys and endpoint.
 */
import assert from "node:assert/strict";
import { ConfigFileError, loadConfigFile } from "../../../core/config_file/load.ts";
import { KIND_SETTINGS } from "../../../core/providers/kind_settings.ts";

const load = (yaml: string) => loadConfigFile(yaml, "gw.yaml", {}, KIND_SETTINGS);

function problems(yaml: string): readonly string[] {
  try {
    load(yaml);
  } catch (error) {
    if (error instanceof ConfigFileError) return error.problems;
    throw error;
  }
  assert.fail("the file loaded");
}

Deno.test("openai: headers and models; an authorization header refused (any case)", () => {
  const [up] = load(`providers:
  up:
    kind: openai
    api_key: k
    headers: {X-Team: blue, HTTP-Referer: "https://example.com"}
    models: [llama3, qwen2.5]
`).instances;
  assert.deepEqual(up.settings, {
    api_key: "k",
    headers: { "X-Team": "blue", "HTTP-Referer": "https://example.com" },
    models: ["llama3", "qwen2.5"],
  });
  assert.deepEqual(
    problems(`providers:\n  up: {kind: openai, headers: {Authorization: "Bearer k"}}\n`),
    ["gw.yaml: providers.up.headers.Authorization: the Authorization header carries the key: put it in api_key instead"],
  );
  assert.match(
    problems(`providers:\n  up: {kind: openai, models: [""]}\n`)[0],
    /^gw\.yaml: providers\.up\.models\[0\]: /,
  );
});

Deno.test("azure_openai: endpoint required, one credential, deployment names, headers", () => {
  const [az] = load(`providers:
  az:
    kind: azure_openai
    endpoint: https://r.openai.azure.com/
    api_key: k
    deployments: {gpt-4o: prod-4o}
`).instances;
  assert.equal(az.kind, "azure_openai");
  const rows: Array<[string, RegExp]> = [
    ["{kind: azure_openai}", /^gw\.yaml: providers\.az\.endpoint: /],
    [
      "{kind: azure_openai, endpoint: ftp://x}",
      /providers\.az\.endpoint: must be an http\(s\) URL$/,
    ],
    [
      "{kind: azure_openai, endpoint: https://r, api_key: k, azure_ad_token: t}",
      /providers\.az\.azure_ad_token: set api_key or azure_ad_token, not both$/,
    ],
    [
      "{kind: azure_openai, endpoint: https://r, deployments: {gpt-4o: 'a/b'}}",
      /providers\.az\.deployments\.gpt-4o: an Azure deployment name uses only letters/,
    ],
    [
      "{kind: azure_openai, endpoint: https://r, headers: {API-Key: k}}",
      /providers\.az\.headers\.API-Key: the API-Key header carries the key: put it in api_key instead$/,
    ],
    [
      "{kind: azure_openai, endpoint: https://r, headers: {authorization: t}}",
      /providers\.az\.headers\.authorization: .* put it in azure_ad_token instead$/,
    ],
    [
      "{kind: azure_openai, endpoint: https://r, api_version: '2024 10'}",
      /providers\.az\.api_version: an api-version looks like 2024-10-21/,
    ],
    ["{kind: azure_openai, endpoint: https://r, base_url: https://r}", /Unrecognized key/],
  ];
  for (const [entry, pattern] of rows) {
    const lines = problems(`providers:\n  az: ${entry}\n`);
    assert.equal(lines.length, 1, `${entry}: ${lines.join("; ")}`);
    assert.match(lines[0], pattern, entry);
  }
});

Deno.test("bedrock: profile, static keys both or neither, session token, endpoint", () => {
  const [aws] = load(`providers:
  aws:
    kind: bedrock
    region: eu-west-1
    access_key_id: AKIDEU
    secret_access_key: s
    session_token: t
    endpoint: http://127.0.0.1:4566/
    role_arn: arn:aws:iam::123456789012:role/r
`).instances;
  assert.equal((aws.settings as { endpoint: string }).endpoint, "http://127.0.0.1:4566/");
  assert.equal(
    load("providers:\n  p: {kind: bedrock, profile: prod}\n").instances[0].kind,
    "bedrock",
  );
  const rows: Array<[string, RegExp]> = [
    [
      "{kind: bedrock, access_key_id: AKID}",
      /providers\.b\.secret_access_key: access_key_id and secret_access_key go together: set both, or neither$/,
    ],
    [
      "{kind: bedrock, secret_access_key: s}",
      /providers\.b\.access_key_id: access_key_id and secret_access_key go together/,
    ],
    [
      "{kind: bedrock, session_token: t}",
      /providers\.b\.session_token: session_token completes static keys: set access_key_id and secret_access_key too$/,
    ],
    ["{kind: bedrock, endpoint: not-a-url}", /providers\.b\.endpoint: must be an http\(s\) URL$/],
  ];
  for (const [entry, pattern] of rows) {
    const lines = problems(`providers:\n  b: ${entry}\n`);
    assert.equal(lines.length, 1, `${entry}: ${lines.join("; ")}`);
    assert.match(lines[0], pattern, entry);
  }
});
