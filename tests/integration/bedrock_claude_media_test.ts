/**
 * Claude (Anthropic-format) bodies with `url` image or document sources for Claude on Bedrock:
 * InvokeModel takes base64 sources only, so they skip the native path and go to Converse, the
 * gateway fetching each URL through the guarded fetch (loopback refused unless
 * `ALLOW_PRIVATE_IMAGE_URLS=true`) and sending the bytes. Base64-only bodies stay native.
 */
import assert from "node:assert/strict";
import { encodeBase64 } from "../../core/text/base64.ts";
import { bedrockGateway, runtimeRequests } from "./bedrock_harness.ts";
import { CLAUDE_MODEL, claudeMessage, nativeJson } from "./formats_harness.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2, 3]);
const PDF = new TextEncoder().encode("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");

/** A local server: `/cat.png` (image/png), `/report.pdf` (application/pdf), `/blob` (bytes). */
function mediaServer() {
  const hits: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    hits.push(path);
    if (path === "/cat.png") return new Response(PNG, { headers: { "content-type": "image/png" } });
    if (path === "/report.pdf") {
      return new Response(PDF, { headers: { "content-type": "application/pdf" } });
    }
    return new Response(new Uint8Array([1, 2, 3]), {
      headers: { "content-type": "application/octet-stream" },
    });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    hits,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

const imageUrl = (url: string) => ({ type: "image", source: { type: "url", url } });
const documentUrl = (url: string, title?: string) => ({
  type: "document",
  source: { type: "url", url },
  ...(title === undefined ? {} : { title }),
});

/** A `/v1/messages` body whose one user turn is a question followed by `block`. */
const messagesBody = (block: unknown, extra: Json = {}) => ({
  model: CLAUDE_MODEL,
  max_tokens: 50,
  messages: [{ role: "user", content: [{ type: "text", text: "What is this?" }, block] }],
  ...extra,
});

/** The content blocks of the last Converse message the fake received. */
function lastTurn(h: { fake: Parameters<typeof runtimeRequests>[0] }): Json[] {
  const requests = runtimeRequests(h.fake);
  assert.equal(requests.length, 1);
  const messages = (requests[0].body as Json).messages as Json[];
  return messages[messages.length - 1].content;
}

Deno.test("Claude url image source → fetched by the gateway, sent to Converse as bytes", async (t) => {
  for (const stream of [false, true]) {
    await t.step(stream ? "stream: ConverseStream" : "JSON: Converse", async () => {
      await using media = mediaServer();
      await using h = bedrockGateway({ env: { ALLOW_PRIVATE_IMAGE_URLS: "true" } });
      const res = await h.gw.post(
        "/v1/messages",
        messagesBody(imageUrl(`${media.url}/cat.png`), { stream }),
      );
      assert.equal(res.status, 200, await res.clone().text());
      if (stream) await res.body?.cancel();
      else assert.equal((await res.json()).type, "message");
      assert.deepEqual(media.hits, ["/cat.png"]);
      const [request] = runtimeRequests(h.fake);
      assert.equal(request.operation, stream ? "converse-stream" : "converse");
      assert.equal(request.modelId, CLAUDE_MODEL);
      assert.deepEqual(lastTurn(h), [
        { text: "What is this?" },
        { image: { format: "png", source: { bytes: encodeBase64(PNG) } } },
      ]);
    });
  }
});

Deno.test("Claude url document source (PDF) → Converse document block with the served bytes", async () => {
  await using media = mediaServer();
  await using h = bedrockGateway({ env: { ALLOW_PRIVATE_IMAGE_URLS: "true" } });
  const res = await h.gw.post("/v1/chat/completions", {
    anthropic_version: "bedrock-2023-05-31",
    ...messagesBody(documentUrl(`${media.url}/report.pdf`, "Q1 report")),
  });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal((await res.json()).object, "chat.completion"); // the route's default target
  assert.deepEqual(media.hits, ["/report.pdf"]);
  assert.equal(runtimeRequests(h.fake)[0].operation, "converse");
  assert.deepEqual(lastTurn(h), [
    { text: "What is this?" },
    { document: { format: "pdf", name: "Q1 report", source: { bytes: encodeBase64(PDF) } } },
  ]);
});

Deno.test("a url image inside a tool_result also goes to Converse, each URL fetched once", async () => {
  await using media = mediaServer();
  await using h = bedrockGateway({ env: { ALLOW_PRIVATE_IMAGE_URLS: "true" } });
  const res = await h.gw.post("/v1/messages", {
    model: CLAUDE_MODEL,
    max_tokens: 50,
    tools: [{ name: "screenshot", input_schema: { type: "object" } }],
    messages: [
      { role: "user", content: "Take a screenshot" },
      {
        role: "assistant",
        content: [{ type: "tool_use", id: "toolu_1", name: "screenshot", input: {} }],
      },
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            tool_use_id: "toolu_1",
            content: [{ type: "text", text: "done" }, imageUrl(`${media.url}/cat.png`)],
          },
          imageUrl(`${media.url}/cat.png`),
        ],
      },
    ],
  });
  assert.equal(res.status, 200, await res.clone().text());
  await res.body?.cancel();
  assert.deepEqual(media.hits, ["/cat.png"]);
  const [request] = runtimeRequests(h.fake);
  assert.equal(request.operation, "converse");
  const turn = lastTurn(h);
  assert.equal(turn[0].toolResult.toolUseId, "toolu_1");
  const images = turn.filter((b) => "image" in b);
  assert.equal(images.length, 2);
  for (const block of images) assert.equal(block.image.source.bytes, encodeBase64(PNG));
});

Deno.test("loopback url sources are refused by default: 400 naming the part, nothing fetched", async (t) => {
  await using media = mediaServer();
  await using h = bedrockGateway();
  const cases = [
    { block: documentUrl(`${media.url}/report.pdf`), part: "messages[0].content[1].file" },
    { block: imageUrl(`${media.url}/cat.png`), part: "messages[0].content[1].image_url" },
  ];
  for (const { block, part } of cases) {
    await t.step(`Claude body: ${part}`, async () => {
      const res = await h.gw.post("/v1/messages", messagesBody(block));
      assert.equal(res.status, 400);
      const { error } = await res.json();
      assert.equal(error.type, "invalid_request_error");
      assert.ok(error.message.includes(part), error.message);
      assert.match(error.message, /loopback/);
    });
  }
  await t.step("OpenAI body with the file_url extension: param names the part", async () => {
    const res = await h.gw.post("/v1/chat/completions", {
      model: CLAUDE_MODEL,
      messages: [{
        role: "user",
        content: [
          { type: "text", text: "Summarise" },
          { type: "file", file: { file_url: `${media.url}/report.pdf` } },
        ],
      }],
    });
    assert.equal(res.status, 400);
    const { error } = await res.json();
    assert.equal(error.param, "messages[0].content[1].file");
  });
  assert.deepEqual(media.hits, []);
  assert.equal(runtimeRequests(h.fake).length, 0);
});

Deno.test("a fetched document of no supported type is a 400 naming the part", async () => {
  await using media = mediaServer();
  await using h = bedrockGateway({ env: { ALLOW_PRIVATE_IMAGE_URLS: "true" } });
  const res = await h.gw.post("/v1/messages", messagesBody(documentUrl(`${media.url}/blob`)));
  assert.equal(res.status, 400);
  const { error } = await res.json();
  assert.ok(error.message.includes("messages[0].content[1].file"), error.message);
  assert.match(error.message, /PDF/);
  assert.deepEqual(media.hits, ["/blob"]);
  assert.equal(runtimeRequests(h.fake).length, 0);
});

Deno.test("Claude base64 image and document sources still reach InvokeModel unchanged", async () => {
  await using h = bedrockGateway();
  const answer = claudeMessage("A cat and a report.");
  h.fake.enqueue(nativeJson(answer));
  const body = {
    anthropic_version: "bedrock-2023-05-31",
    max_tokens: 50,
    messages: [{
      role: "user",
      content: [
        { type: "text", text: "What are these?" },
        {
          type: "image",
          source: { type: "base64", media_type: "image/png", data: encodeBase64(PNG) },
        },
        {
          type: "document",
          source: { type: "base64", media_type: "application/pdf", data: encodeBase64(PDF) },
        },
      ],
    }],
  };
  const res = await h.gw.post("/v1/messages", { model: CLAUDE_MODEL, ...body });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), answer);
  const [request] = runtimeRequests(h.fake);
  assert.equal(request.operation, "invoke");
  assert.deepEqual(request.body, body);
});
