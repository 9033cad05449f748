/**
 * Aliases on every API: Chat Completions, the Responses API, Anthropic Messages (and its token
 * counting) and embeddings all go through the router, so an alias and its failover work the same
 * on each.
 */
import assert from "node:assert/strict";
import { testAppWithInstances } from "../helpers/app.ts";

// deno-lint-ignore no-explicit-any
type Answer = any; // the answers of five different APIs, checked field by field

const gw = () =>
  testAppWithInstances({
    instances: [{ id: "m1", kind: "mock" }, { id: "m2", kind: "mock" }],
    aliases: [
      {
        name: "pool",
        strategy: "failover",
        deployments: [
          { provider: "m1", model: "mock-echo", weight: 1 },
          { provider: "m2", model: "mock-echo", weight: 1 },
        ],
      },
      {
        name: "vectors",
        strategy: "failover",
        deployments: [{ provider: "m2", model: "mock-embed", weight: 1 }],
      },
    ],
  });

Deno.test("an alias answers on every API, naming its deployment", async (t) => {
  const app = gw();
  const cases: Array<[string, string, Record<string, unknown>, (body: Answer) => void]> = [
    ["chat", "/v1/chat/completions", {
      model: "pool",
      messages: [{ role: "user", content: "hello pool" }],
    }, (b) => assert.equal(b.choices[0].message.content, "hello pool")],
    [
      "responses",
      "/v1/responses",
      { model: "pool", input: "hello pool", store: false },
      (b) => assert.equal(b.output_text ?? b.output[0].content[0].text, "hello pool"),
    ],
    ["messages", "/v1/messages", {
      model: "pool",
      max_tokens: 50,
      messages: [{ role: "user", content: "hello pool" }],
    }, (b) => assert.equal(b.content[0].text, "hello pool")],
    ["count_tokens", "/v1/messages/count_tokens", {
      model: "pool",
      messages: [{ role: "user", content: "hello pool" }],
    }, (b) => assert.equal(typeof b.input_tokens, "number")],
    [
      "embeddings",
      "/v1/embeddings",
      { model: "vectors", input: ["a", "b"] },
      (b) => assert.equal(b.data.length, 2),
    ],
  ];
  for (const [name, path, body, check] of cases) {
    await t.step(name, async () => {
      const res = await app.post(path, body);
      const json = await res.json();
      assert.equal(res.status, 200, JSON.stringify(json));
      assert.equal(
        res.headers.get("x-gateway-deployment"),
        name === "embeddings" ? "m2/mock-embed" : "m1/mock-echo",
      );
      check(json);
    });
  }
});
