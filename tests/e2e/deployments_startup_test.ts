/**
 * An unreachable `base_url` in the config file: a warning at start (the providers' model lists
 * are read once the gateway is built), a 503 `upstream_unavailable` naming the deployment at
 * request time, never the secret, and the gateway keeps serving.
 */
import assert from "node:assert/strict";
import { freePort, spawnGateway } from "../helpers/server.ts";
import { eventually } from "../helpers/faults.ts";

Deno.test("an unreachable upstream: a warning at start, then 503 naming the deployment", async () => {
  const port = freePort();
  const file = [
    "providers:",
    `  local: {kind: openai, base_url: "http://127.0.0.1:${port}/v1", api_key: "sk-unreachable-secret"}`,
    "  mock: {kind: mock}",
    "models:",
    "  - name: chat",
    "    deployments: [{provider: local, model: llama3}]",
    "",
  ].join("\n");
  await using gw = await spawnGateway({ GATEWAY_CONFIG: "gateway.yaml" }, {
    files: { "gateway.yaml": file },
  });
  await eventually(
    () =>
      gw.logs().some((l) => /model list unavailable/.test(String(l.msg)) && l.provider === "local"),
    "a start-up warning about the unreachable provider",
  );
  const warning = gw.logs().find((l) =>
    /model list unavailable/.test(String(l.msg)) && l.provider === "local"
  )!;
  assert.equal(warning.level, "warn");
  assert.match(String(warning.error), new RegExp(`127\\.0\\.0\\.1:${port} could not be reached`));
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hi" }] }),
  });
  assert.equal(res.status, 503);
  const { error } = await res.json();
  assert.equal(error.code, "upstream_unavailable");
  assert.match(error.message, /\(deployment 'local\/llama3' of 'chat'\)$/);
  const ok = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "mock-echo", messages: [{ role: "user", content: "hi" }] }),
  });
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
  assert.doesNotMatch(gw.stdout() + gw.stderr(), /sk-unreachable-secret/);
});
