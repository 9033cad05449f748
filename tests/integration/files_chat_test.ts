/**
 * `file_ids` on chat, in process, against the fake OpenAI upstream: the exact context the
 * upstream receives for every input format (JSON and streams), ids checked before any upstream
 * call, the FILES_CONTEXT_MAX_CHARS bound, and `file_ids` never forwarded.
 */
import assert from "node:assert/strict";
import { completion, startFakeOpenAI, streamReply, textDeltas } from "../fakes/openai_upstream.ts";
import { createGatewayClient } from "../../routers/client.ts";
import { ORIGIN } from "../helpers/app.ts";
import { filesApp, uploaded } from "./files_helpers.ts";

const FIXTURES = new URL("../fixtures/files/", import.meta.url);

async function setup(env: Record<string, string> = {}) {
  const fake = await startFakeOpenAI();
  const app = await filesApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url, ...env });
  return {
    fake,
    app,
    gw: app.gw,
    async [Symbol.asyncDispose]() {
      await fake.close();
      await app[Symbol.asyncDispose]();
    },
  };
}

const header = (id: string, name: string, type: string, bytes: number) =>
  `<file id="${id}" name="${name}" type="${type}" bytes="${bytes}">`;

Deno.test("file_ids: the upstream receives the exact context at the start of the last user message", async () => {
  await using s = await setup();
  const csv = Deno.readFileSync(new URL("people.csv", FIXTURES));
  const a = await uploaded(s.gw, csv, "people.csv", "text/csv");
  const b = await uploaded(s.gw, "Plain notes.", "notes.txt");
  s.fake.script(completion({ content: "ok" }));
  const res = await s.gw.post("/v1/chat/completions", {
    model: "gpt-4o",
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "first question" },
      { role: "assistant", content: "first answer" },
      { role: "user", content: "Summarise the files." },
    ],
    file_ids: [a.id, b.id, a.id],
  });
  assert.equal(res.status, 200, await res.clone().text());
  await res.body?.cancel();
  const sent = s.fake.chatRequests[0].body as Record<string, unknown>;
  assert.equal("file_ids" in sent, false);
  const expected = [
    "[Attached files: 2. The extracted text of each follows.]",
    header(a.id, "people.csv", "csv", csv.length),
    "CSV: 3 rows, 3 columns",
    "Columns: name, city, note",
    "Rows:",
    `1. {"name":"Ann Lee","city":"Paris, FR","note":"said \\"hi\\"\\nthen left"}`,
    `2. {"name":"Bob","city":"Oslo","note":"plain"}`,
    `3. {"name":"Chen, Wei","city":"Lyon","note":"a,b,c"}`,
    "</file>",
    header(b.id, "notes.txt", "text", 12),
    "Plain notes.",
    "</file>",
  ].join("\n");
  assert.deepEqual(sent.messages, [
    { role: "system", content: "Be brief." },
    { role: "user", content: "first question" },
    { role: "assistant", content: "first answer" },
    {
      role: "user",
      content: [{ type: "text", text: expected }, { type: "text", text: "Summarise the files." }],
    },
  ]);
});

Deno.test("file_ids: unknown or malformed ids are 404 file_not_found before any upstream call", async () => {
  await using s = await setup();
  const good = await uploaded(s.gw, "x", "x.txt");
  for (const ids of [[good.id, `file-${"Q".repeat(24)}`], ["../../etc/passwd"], [""]]) {
    const res = await s.gw.post("/v1/chat/completions", {
      model: "gpt-4o",
      messages: [{ role: "user", content: "hi" }],
      file_ids: ids,
      stream: true,
    });
    assert.equal(res.status, 404);
    const { error } = await res.json();
    assert.equal(error.code, "file_not_found");
    assert.equal(error.param, "file_ids");
    assert.equal(error.type, "invalid_request_error");
  }
  const bad = await s.gw.post("/v1/chat/completions", {
    model: "gpt-4o",
    messages: [{ role: "user", content: "hi" }],
    file_ids: "file-x",
  });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error.param, "file_ids");
  assert.equal(s.fake.chatRequests.length, 0);
});

Deno.test("file_ids: Claude and Titan bodies, streamed, get the same context; file_ids not forwarded", async () => {
  await using s = await setup();
  const file = await uploaded(s.gw, "<p>Tea &amp; cake</p>", "menu.html", "text/html");
  const context = [
    "[Attached files: 1. The extracted text of each follows.]",
    header(file.id, "menu.html", "html", 21),
    "Tea & cake",
    "</file>",
  ].join("\n");
  s.fake.script(streamReply(textDeltas(["o", "k"])), streamReply(textDeltas(["ok"])));
  const claude = await s.gw.post("/v1/messages", {
    anthropic_version: "bedrock-2023-05-31",
    model: "gpt-4o",
    max_tokens: 50,
    stream: true,
    messages: [{ role: "user", content: [{ type: "text", text: "What is on it?" }] }],
    file_ids: [file.id],
  });
  assert.equal(claude.status, 200);
  assert.match(await claude.text(), /message_stop/);
  const titan = await s.gw.post("/v1/chat/completions?target_format=bedrock_titan", {
    model: "gpt-4o",
    inputText: "What is on it?",
    stream: true,
    file_ids: [file.id],
  });
  assert.equal(titan.status, 200);
  await titan.text();
  for (const request of s.fake.chatRequests) {
    const body = request.body as { messages: Array<{ role: string; content: unknown }> };
    assert.equal("file_ids" in body, false);
    const last = body.messages[body.messages.length - 1];
    assert.equal(last.role, "user");
    assert.deepEqual((last.content as Array<{ text: string }>)[0], { type: "text", text: context });
  }
  assert.equal(s.fake.chatRequests.length, 2);
});

Deno.test("file_ids: the context is bounded by FILES_CONTEXT_MAX_CHARS with a visible marker", async () => {
  await using s = await setup({ FILES_CONTEXT_MAX_CHARS: "500" });
  const huge = Deno.readFileSync(new URL("huge_line.txt", FIXTURES));
  const file = await uploaded(s.gw, huge, "huge_line.txt");
  s.fake.script(completion({ content: "ok" }));
  const res = await s.gw.post("/v1/chat/completions", {
    model: "gpt-4o",
    messages: [{ role: "user", content: "Read it." }],
    file_ids: [file.id],
  });
  assert.equal(res.status, 200);
  await res.body?.cancel();
  const body = s.fake.chatRequests[0].body as {
    messages: Array<{ content: Array<{ text: string }> }>;
  };
  const text = body.messages[0].content[0].text;
  assert.equal(text.length, 500);
  assert.ok(text.startsWith(`[Attached files: 1.`));
  assert.ok(
    text.endsWith(
      "\n[truncated: the file context is limited to 500 characters; the rest is omitted]",
    ),
  );
  assert.ok(text.includes("START alpha") || text.includes("START "));
});

Deno.test("file_ids: tRPC chat.complete goes through the same service", async () => {
  await using s = await setup();
  const file = await uploaded(s.gw, "Secret word: pineapple.", "w.txt");
  const client = createGatewayClient({
    url: ORIGIN,
    fetch: (input, init) => s.gw.handler(new Request(input, init)),
  });
  s.fake.script(completion({ content: "pineapple" }));
  const reply = await client.chat.complete.mutate({
    model: "gpt-4o",
    messages: [{ role: "user", content: "say it" }],
    file_ids: [file.id],
  });
  assert.equal(reply.choices[0].message.content, "pineapple");
  const body = s.fake.chatRequests[0].body as { messages: Array<{ content: unknown }> };
  assert.deepEqual(body.messages[0].content, [
    {
      type: "text",
      text: [
        "[Attached files: 1. The extracted text of each follows.]",
        header(file.id, "w.txt", "text", 23),
        "Secret word: pineapple.",
        "</file>",
      ].join("\n"),
    },
    { type: "text", text: "say it" },
  ]);
  const missing = await client.chat.complete.mutate({
    model: "gpt-4o",
    messages: [{ role: "user", content: "x" }],
    file_ids: [`file-${"M".repeat(24)}`],
  }).then(() => undefined, (e) => e);
  assert.equal(missing?.data?.gateway?.code, "file_not_found");
  assert.equal(s.fake.chatRequests.length, 1);
});
