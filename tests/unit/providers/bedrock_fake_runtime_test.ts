/**
 * The fake Bedrock runtime speaks the real wire protocol: the real `BedrockRuntimeClient`
 * (pointed at it through `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`) decodes its event-stream frames,
 * exception frames and `x-amzn-errortype` errors; unsigned requests are refused.
 */
import assert from "node:assert/strict";
import {
  BedrockRuntimeClient,
  ConverseStreamCommand,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { encodeFrame, startFakeBedrock } from "../../fakes/bedrock_runtime.ts";
import { COUNT_UNSUPPORTED_MESSAGE, fakeTokenCount } from "../../fakes/bedrock_count_tokens.ts";
import { setEnv } from "../../integration/bedrock_harness.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * A client whose endpoint comes from the SDK's own environment handling, as in production. The
 * SDK reads `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` lazily (at the first request), so the variable
 * stays set until the client is destroyed.
 */
function clientFor(url: string): BedrockRuntimeClient & { dispose(): void } {
  const restore = setEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: url });
  const client = new BedrockRuntimeClient({
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
    maxAttempts: 1,
  });
  return Object.assign(client, {
    dispose() {
      client.destroy();
      restore();
    },
  });
}

Deno.test("frames carry valid prelude and message CRCs and the AWS headers", () => {
  const codec = new EventStreamCodec((b) => decoder.decode(b), (s) => encoder.encode(s));
  const bytes = encodeFrame({ event: "contentBlockDelta", payload: { delta: { text: "hi" } } });
  const message = codec.decode(bytes);
  assert.equal(message.headers[":message-type"].value, "event");
  assert.equal(message.headers[":event-type"].value, "contentBlockDelta");
  assert.equal(message.headers[":content-type"].value, "application/json");
  assert.deepEqual(JSON.parse(decoder.decode(message.body)), { delta: { text: "hi" } });
  const corrupted = bytes.slice();
  corrupted[corrupted.length - 6] ^= 0xff;
  assert.throws(() => codec.decode(corrupted), /checksum/i);
});

Deno.test("InvokeModel and InvokeModelWithResponseStream round-trip raw bodies", async () => {
  const fake = startFakeBedrock();
  const client = clientFor(fake.url);
  try {
    const body = { anthropic_version: "bedrock-2023-05-31", max_tokens: 5, messages: [] };
    fake.enqueue({
      kind: "json",
      body: { type: "message", content: [{ type: "text", text: "ok" }] },
    });
    const invoked = await client.send(
      new InvokeModelCommand({
        modelId: "anthropic.claude-3-haiku-20240307-v1:0",
        body: JSON.stringify(body),
        contentType: "application/json",
      }),
    );
    assert.deepEqual(JSON.parse(decoder.decode(invoked.body)).content, [{
      type: "text",
      text: "ok",
    }]);
    assert.deepEqual(fake.requests[0].body, body);
    assert.equal(fake.requests[0].operation, "invoke");

    const chunks = [{ type: "message_start" }, { type: "message_stop" }];
    fake.enqueue({
      kind: "stream",
      frames: chunks.map((c) => ({ event: "chunk", payload: { bytes: btoa(JSON.stringify(c)) } })),
    });
    const streamed = await client.send(
      new InvokeModelWithResponseStreamCommand({
        modelId: "amazon.titan-text-express-v1",
        body: JSON.stringify({ inputText: "hi" }),
      }),
    );
    const received: unknown[] = [];
    for await (const event of streamed.body!) {
      received.push(JSON.parse(decoder.decode(event.chunk!.bytes)));
    }
    assert.deepEqual(received, chunks);
    assert.equal(fake.requests[1].operation, "invoke-with-response-stream");
    assert.equal(fake.requests[1].modelId, "amazon.titan-text-express-v1");
  } finally {
    client.dispose();
    await fake.close();
  }
});

Deno.test("exception frames surface as the SDK's modeled exceptions", async () => {
  const fake = startFakeBedrock();
  const client = clientFor(fake.url);
  try {
    fake.enqueue({
      kind: "stream",
      frames: [
        { event: "messageStart", payload: { role: "assistant" } },
        { exception: "modelStreamErrorException", message: "model broke" },
      ],
    });
    const response = await client.send(
      new ConverseStreamCommand({
        modelId: "m",
        messages: [{ role: "user", content: [{ text: "x" }] }],
      }),
    );
    const seen: unknown[] = [];
    const error = await (async () => {
      for await (const event of response.stream!) seen.push(event);
    })().then(() => undefined, (e) => e);
    assert.deepEqual(seen, [{ messageStart: { role: "assistant" } }]);
    assert.equal(error?.name, "ModelStreamErrorException");
    assert.equal(error?.message, "model broke");
  } finally {
    client.dispose();
    await fake.close();
  }
});

Deno.test("unsigned requests get 403; unknown routes 404", async () => {
  await using fake = {
    ...startFakeBedrock(),
    async [Symbol.asyncDispose]() {
      await this.close();
    },
  };
  const unsigned = await fetch(`${fake.url}/model/m/converse`, { method: "POST", body: "{}" });
  assert.equal(unsigned.status, 403);
  assert.match(
    unsigned.headers.get("x-amzn-errortype") ?? "",
    /^MissingAuthenticationTokenException:/,
  );
  await unsigned.body?.cancel();
  const unknown = await fetch(`${fake.url}/nope`, {
    method: "POST",
    headers: { authorization: "Bearer x" },
  });
  assert.equal(unknown.status, 404);
  await unknown.body?.cancel();
});

Deno.test("CountTokens: the SDK's wire format both ways; profiles and bad bodies refused", async () => {
  const fake = startFakeBedrock();
  const client = clientFor(fake.url);
  try {
    const model = "anthropic.claude-3-haiku-20240307-v1:0";
    const body = {
      anthropic_version: "bedrock-2023-05-31",
      max_tokens: 5,
      messages: [{ role: "user", content: "Hi" }],
    };
    const count = (modelId: string, payload: unknown) =>
      client.send(
        new CountTokensCommand({
          modelId,
          input: { invokeModel: { body: encoder.encode(JSON.stringify(payload)) } },
        }),
      );
    const answer = await count(model, body);
    assert.equal(answer.inputTokens, fakeTokenCount(body));
    const [request] = fake.requests;
    assert.equal(request.path, `/model/${encodeURIComponent(model)}/count-tokens`);
    assert.equal(request.operation, "count-tokens");
    assert.equal(
      typeof (request.body as { input: { invokeModel: { body: string } } }).input
        .invokeModel.body,
      "string",
      "the blob travels as base64",
    );
    assert.deepEqual(request.countedBody, body);
    await assert.rejects(count(`us.${model}`, body), (error: Error) => {
      assert.equal(error.name, "ValidationException");
      assert.equal(error.message, COUNT_UNSUPPORTED_MESSAGE);
      return true;
    });
    await assert.rejects(count(model, { ...body, max_tokens: undefined }), (error: Error) => {
      assert.equal(error.name, "ValidationException");
      assert.match(error.message, /max_tokens/);
      return true;
    });
    await assert.rejects(count(model, { ...body, container: {} }), /extraneous key \[container\]/);
  } finally {
    client.dispose();
    await fake.close();
  }
});
