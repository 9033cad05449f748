/**
 * The spawned gateway driven by the official `openai` npm client for Bedrock model ids (through
 * the real AWS SDK against the fake Bedrock): Bedrock errors surface as the SDK's error classes
 * (throttling with Retry-After, JSON and stream, SDK retries, the status table, `n > 1`) with no
 * key in the message, and `/v1/models` lists and retrieves Bedrock models from signed calls.
 */
import assert from "node:assert/strict";
import OpenAI, { type APIError } from "openai";
import { CLAUDE, converseReply, NOVA, SECRET, setup, stepGroups, USER } from "./bedrock_harness.ts";

const { group, run } = stepGroups();

group("errors are the SDK's error classes", async (t) => {
  const { fake, client, gw, take } = await setup();

  await t.step("ThrottlingException → RateLimitError 429 with Retry-After", async () => {
    fake.enqueue({
      kind: "error",
      type: "ThrottlingException",
      message: "Too many requests",
      headers: { "retry-after": "7" },
    });
    await assert.rejects(
      client.chat.completions.create({ model: CLAUDE, messages: USER }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.RateLimitError, String(error));
        assert.equal(error.status, 429);
        assert.equal(error.code, "rate_limit_exceeded");
        assert.equal(error.type, "rate_limit_error");
        assert.equal(error.headers?.get("retry-after"), "7");
        return true;
      },
    );
    assert.equal(take().length, 1, "UPSTREAM_MAX_RETRIES=0: one upstream attempt");
  });

  await t.step("ThrottlingException on a stream → RateLimitError before any chunk", async () => {
    fake.enqueue({ kind: "error", type: "ThrottlingException" });
    await assert.rejects(
      client.chat.completions.create({ model: CLAUDE, messages: USER, stream: true }),
      OpenAI.RateLimitError,
    );
    take();
  });

  await t.step("the SDK retries a throttled request and then succeeds", async () => {
    fake.enqueue(
      { kind: "error", type: "ThrottlingException", headers: { "retry-after": "0" } },
      converseReply([{ text: "after retry" }]),
    );
    const retrying = new OpenAI({ apiKey: "unused", baseURL: `${gw.url}/v1`, maxRetries: 1 });
    const answer = await retrying.chat.completions.create({ model: CLAUDE, messages: USER });
    assert.equal(answer.choices[0].message.content, "after retry");
    assert.equal(take().length, 2);
  });

  const rows: Array<{
    type: string;
    // deno-lint-ignore no-explicit-any
    errorClass: new (...args: any[]) => APIError;
    status: number;
    code: string;
  }> = [
    {
      type: "AccessDeniedException",
      errorClass: OpenAI.PermissionDeniedError,
      status: 403,
      code: "upstream_access_denied",
    },
    {
      type: "ValidationException",
      errorClass: OpenAI.BadRequestError,
      status: 400,
      code: "invalid_value",
    },
    {
      type: "ResourceNotFoundException",
      errorClass: OpenAI.NotFoundError,
      status: 404,
      code: "model_not_found",
    },
    {
      type: "ServiceUnavailableException",
      errorClass: OpenAI.InternalServerError,
      status: 503,
      code: "upstream_unavailable",
    },
    {
      type: "InternalServerException",
      errorClass: OpenAI.InternalServerError,
      status: 502,
      code: "upstream_error",
    },
  ];
  for (const row of rows) {
    await t.step(`${row.type} → ${row.errorClass.name} ${row.status}`, async () => {
      fake.enqueue({ kind: "error", type: row.type, message: `fake ${row.type}` });
      await assert.rejects(
        client.chat.completions.create({ model: NOVA, messages: USER }),
        (error: unknown) => {
          assert.ok(error instanceof row.errorClass, String(error));
          assert.equal(error.status, row.status);
          assert.equal(error.code, row.code);
          assert.doesNotMatch(error.message, new RegExp(`${SECRET}|AKIDTEST`));
          return true;
        },
      );
      take();
    });
  }

  await t.step("n > 1 → BadRequestError naming n, nothing sent", async () => {
    await assert.rejects(
      client.chat.completions.create({ model: NOVA, messages: USER, n: 2 }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && error.param === "n",
    );
    assert.equal(take().length, 0);
  });
});

group("/v1/models lists Bedrock models", async () => {
  {
    const { client, fake } = await setup();
    const models: OpenAI.Model[] = [];
    for await (const model of client.models.list()) models.push(model);
    const bedrock = models.filter((m) => m.owned_by === "bedrock").map((m) => m.id).sort();
    assert.deepEqual(
      bedrock,
      [
        "amazon.nova-pro-v1:0",
        // Listed by Bedrock as an EMBEDDING model, and served by POST /v1/embeddings.
        "amazon.titan-embed-text-v2:0",
        "anthropic.claude-sonnet-4-20250514-v1:0",
        "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
        CLAUDE,
      ].sort(),
    );
    assert.ok(models.some((m) => m.id === "mock-echo"));
    const listed = fake.requests.filter((r) => r.operation.startsWith("list-"));
    assert.ok(listed.every((r) => r.accessKeyId === "AKIDTEST"), "listing is signed");
    const one = await client.models.retrieve(CLAUDE);
    assert.equal(one.id, CLAUDE);
    assert.equal(one.owned_by, "bedrock");
  }
});

Deno.test("bedrock via openai SDK (spawned gateway, fake Bedrock)", run);
