/**
 * Stored responses (`store`, default true): `previous_response_id` continues a conversation on
 * any provider (mock → Bedrock Claude → OpenAI, natively or through the hub), across a restart
 * (the SQLite file reopened) and across two gateways sharing PostgreSQL; `GET`/`DELETE
 * /v1/responses/{id}` and `input_items` in OpenAI's shapes; `store: false`, unknown and expired
 * ids; a function-call round trip whose call lives in the stored history.
 */
import assert from "node:assert/strict";
import type { ConverseRequest } from "../../core/providers/bedrock/converse/wire.ts";
import type { Store } from "../../core/store/store.ts";
import { converseText } from "../fakes/bedrock_runtime.ts";
import { completion, startFakeOpenAI } from "../fakes/openai_upstream.ts";
import { testApp } from "../helpers/app.ts";
import { registerPostgresSkipped, tryStartPostgres } from "../helpers/postgres.ts";
import { checkResponsesStream } from "../helpers/responses_stream_checker.ts";
import { readSse } from "../helpers/sse.ts";
import { postgresBackend, sqliteBackend, sqliteTarget } from "../helpers/stores.ts";
import { bedrockGateway, runtimeRequests } from "./bedrock_harness.ts";

const CLAUDE = "us.anthropic.claude-sonnet-4-20250514-v1:0";

async function freshStore(): Promise<Store> {
  return await (await sqliteBackend().fresh()).open();
}

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

/** A message's text, whether its content is a string or a list of parts. */
function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  return (content as Array<{ text?: string }>).map((part) => part.text ?? "").join("");
}

async function json(res: Response, status = 200): Promise<Json> {
  const body = await res.json();
  assert.equal(res.status, status, JSON.stringify(body));
  return body;
}

Deno.test("a conversation continues across providers: mock, then Bedrock Claude, then OpenAI (hub)", async () => {
  await using openai = await startFakeOpenAI({ requireKey: "k" });
  const store = await freshStore();
  await using h = bedrockGateway({
    env: { OPENAI_API_KEY: "k", OPENAI_BASE_URL: openai.url, OPENAI_RESPONSES_API: "false" },
    store,
  });
  try {
    const first = await json(
      await h.gw.post("/v1/responses", {
        model: "mock-echo",
        instructions: "Not carried forward",
        input: "My name is Ada",
      }),
    );
    assert.equal(first.output_text ?? first.output[0].content[0].text, "My name is Ada");

    h.fake.enqueue(converseText("Nice to meet you, Ada"));
    const second = await json(
      await h.gw.post("/v1/responses", {
        model: CLAUDE,
        previous_response_id: first.id,
        input: "What is my name?",
      }),
    );
    assert.equal(second.previous_response_id, first.id);
    const converse = runtimeRequests(h.fake).at(-1)!.body as ConverseRequest;
    assert.deepEqual(
      converse.messages.map((m) => [m.role, (m.content[0] as { text: string }).text]),
      [
        ["user", "My name is Ada"],
        ["assistant", "My name is Ada"],
        ["user", "What is my name?"],
      ],
    );
    assert.equal(converse.system, undefined, "instructions are not carried forward");

    openai.script(completion({ content: "Ada" }));
    const third = await json(
      await h.gw.post("/v1/responses", {
        model: "gpt-4o",
        previous_response_id: second.id,
        input: [{ role: "user", content: "Once more?" }],
      }),
    );
    const chat = openai.chatRequests.at(-1)!.body as Json;
    assert.deepEqual(chat.messages.map((m: Json) => [m.role, textOf(m.content)]), [
      ["user", "My name is Ada"],
      ["assistant", "My name is Ada"],
      ["user", "What is my name?"],
      ["assistant", "Nice to meet you, Ada"],
      ["user", "Once more?"],
    ]);
    assert.equal(third.output[0].content[0].text, "Ada");

    const items = await json(await h.gw.get(`/v1/responses/${third.id}/input_items?order=asc`));
    assert.equal(items.object, "list");
    assert.equal(items.data.length, 5);
    assert.equal(items.has_more, false);
    assert.deepEqual(items.data.map((i: Json) => i.type), [
      "message",
      "message",
      "message",
      "message",
      "message",
    ]);
    assert.deepEqual(items.data.at(-1).content, [{ type: "input_text", text: "Once more?" }]);
    assert.ok(items.data.every((i: Json) => typeof i.id === "string"));
  } finally {
    await store.close();
  }
});

Deno.test("GET returns the Response as first answered; DELETE removes it; input_items pages", async () => {
  const store = await freshStore();
  try {
    const gw = testApp({}, { store });
    const created = await json(
      await gw.post("/v1/responses", {
        model: "mock-echo",
        input: [
          { role: "user", content: "one" },
          { role: "assistant", content: "two" },
          { role: "user", content: "three" },
        ],
        metadata: { team: "a" },
      }),
    );
    assert.deepEqual(await json(await gw.get(`/v1/responses/${created.id}`)), created);

    const page1 = await json(await gw.get(`/v1/responses/${created.id}/input_items?limit=2`));
    assert.deepEqual(page1.data.map((i: Json) => i.content[0].text), ["three", "two"]);
    assert.equal(page1.has_more, true);
    assert.equal(page1.first_id, page1.data[0].id);
    assert.equal(page1.last_id, page1.data[1].id);
    const page2 = await json(
      await gw.get(`/v1/responses/${created.id}/input_items?limit=2&after=${page1.last_id}`),
    );
    assert.deepEqual(page2.data.map((i: Json) => i.content[0].text), ["one"]);
    assert.equal(page2.has_more, false);

    for (
      const [query, param] of [
        ["limit=0", "limit"],
        ["limit=101", "limit"],
        ["order=sideways", "order"],
        ["after=msg_nope", "after"],
      ]
    ) {
      const error = await json(
        await gw.get(`/v1/responses/${created.id}/input_items?${query}`),
        400,
      );
      assert.equal(error.error.param, param, query);
    }
    const replay = await json(await gw.get(`/v1/responses/${created.id}?stream=true`), 400);
    assert.equal(replay.error.param, "stream");

    assert.deepEqual(
      await json(await gw.request(`/v1/responses/${created.id}`, { method: "DELETE" })),
      {
        id: created.id,
        object: "response",
        deleted: true,
      },
    );
    for (const path of [`/v1/responses/${created.id}`, `/v1/responses/${created.id}/input_items`]) {
      const gone = await json(await gw.get(path), 404);
      assert.equal(gone.error.code, "response_not_found");
      assert.match(gone.error.message, new RegExp(created.id));
    }
    await json(await gw.request(`/v1/responses/${created.id}`, { method: "DELETE" }), 404);
    const continued = await json(
      await gw.post("/v1/responses", {
        model: "mock-echo",
        previous_response_id: created.id,
        input: "x",
      }),
      404,
    );
    assert.equal(continued.error.code, "previous_response_not_found");
    assert.equal(continued.error.param, "previous_response_id");
    const wrongMethod = await gw.request(`/v1/responses/${created.id}`, { method: "PUT" });
    assert.equal(wrongMethod.status, 405);
    await wrongMethod.body?.cancel();
  } finally {
    await store.close();
  }
});

Deno.test("store: false keeps nothing; an expired record is gone; unknown ids are 404s", async () => {
  const store = await freshStore();
  try {
    const gw = testApp({}, { store });
    const unstored = await json(
      await gw.post("/v1/responses", { model: "mock-echo", input: "secret", store: false }),
    );
    assert.equal(unstored.store, false);
    await json(await gw.get(`/v1/responses/${unstored.id}`), 404);
    const stored = await json(await gw.post("/v1/responses", { model: "mock-echo", input: "hi" }));
    const record = await store.responses.get(stored.id, 0);
    assert.ok(record);
    await store.responses.put({ ...record, expiresAt: Math.floor(Date.now() / 1000) - 1 });
    await json(await gw.get(`/v1/responses/${stored.id}`), 404);
    const expired = await json(
      await gw.post("/v1/responses", {
        model: "mock-echo",
        previous_response_id: stored.id,
        input: "again",
      }),
      404,
    );
    assert.equal(expired.error.code, "previous_response_not_found");
    const health = await gw.get("/health");
    assert.equal(health.status, 200);
    await health.body?.cancel();
  } finally {
    await store.close();
  }
});

Deno.test("a streamed response is stored before its terminal event goes out, and continues", async () => {
  const store = await freshStore();
  try {
    const gw = testApp({}, { store });
    const res = await gw.post("/v1/responses", {
      model: "mock-echo",
      input: "stream me",
      stream: true,
    });
    assert.equal(res.status, 200);
    const events = (await readSse(res)).map((e) => JSON.parse(e.data));
    checkResponsesStream(events);
    const completed = events.at(-1);
    assert.equal(completed.type, "response.completed");
    assert.deepEqual(
      await json(await gw.get(`/v1/responses/${completed.response.id}`)),
      completed.response,
    );
    const next = await json(
      await gw.post("/v1/responses", {
        model: "mock-echo",
        previous_response_id: completed.response.id,
        input: "and again",
      }),
    );
    const items = await json(await gw.get(`/v1/responses/${next.id}/input_items?order=asc`));
    assert.deepEqual(items.data.map((i: Json) => i.content[0].text), [
      "stream me",
      "stream me",
      "and again",
    ]);
  } finally {
    await store.close();
  }
});

Deno.test("a function call stored in history is answered by a function_call_output in the next request", async () => {
  await using openai = await startFakeOpenAI({ requireKey: "k" });
  const store = await freshStore();
  try {
    const gw = testApp(
      { OPENAI_API_KEY: "k", OPENAI_BASE_URL: openai.url, OPENAI_RESPONSES_API: "false" },
      { store },
    );
    const tool = { type: "function", name: "add", parameters: { type: "object" } };
    openai.script(completion({ toolCalls: [{ id: "call_7", name: "add", arguments: '{"a":1}' }] }));
    const first = await json(
      await gw.post("/v1/responses", { model: "gpt-4o", input: "add", tools: [tool] }),
    );
    const call = first.output.find((i: Json) => i.type === "function_call");
    assert.equal(call.call_id, "call_7");

    openai.script(completion({ content: "It is 2" }));
    const second = await json(
      await gw.post("/v1/responses", {
        model: "gpt-4o",
        previous_response_id: first.id,
        input: [{ type: "function_call_output", call_id: "call_7", output: "2" }],
        tools: [tool],
      }),
    );
    assert.equal(second.output[0].content[0].text, "It is 2");
    const messages = (openai.chatRequests.at(-1)!.body as Json).messages;
    assert.deepEqual(messages.map((m: Json) => m.role), ["user", "assistant", "tool"]);
    assert.equal(messages[1].tool_calls[0].id, "call_7");
    assert.equal(messages[2].tool_call_id, "call_7");

    const orphan = await json(
      await gw.post("/v1/responses", {
        model: "gpt-4o",
        previous_response_id: first.id,
        input: [{ type: "function_call_output", call_id: "call_other", output: "2" }],
      }),
      400,
    );
    assert.equal(orphan.error.param, "input[0].call_id");
    assert.equal(openai.chatRequests.length, 2, "no upstream call for the orphan output");
  } finally {
    await store.close();
  }
});

Deno.test("natively to an OpenAI upstream that speaks Responses: the stored history goes in input, previous_response_id does not", async () => {
  await using openai = await startFakeOpenAI({ requireKey: "k" });
  const store = await freshStore();
  try {
    const gw = testApp(
      { OPENAI_API_KEY: "k", OPENAI_BASE_URL: openai.url, OPENAI_RESPONSES_API: "true" },
      { store },
    );
    const first = await json(
      await gw.post("/v1/responses", { model: "mock-echo", input: "hello" }),
    );
    openai.scriptResponses({ text: "native answer" });
    const second = await json(
      await gw.post("/v1/responses", {
        model: "gpt-4o",
        previous_response_id: first.id,
        input: "next",
      }),
    );
    const sent = openai.responsesRequests.at(-1)!.body as Json;
    assert.equal("previous_response_id" in sent, false);
    assert.deepEqual(sent.input.map((i: Json) => [i.role, textOf(i.content)]), [
      ["user", "hello"],
      ["assistant", "hello"],
      ["user", "next"],
    ]);
    assert.ok(sent.input.every((i: Json) => !("id" in i)), "the gateway's item ids stay home");
    assert.deepEqual(await json(await gw.get(`/v1/responses/${second.id}`)), second);
  } finally {
    await store.close();
  }
});

Deno.test("the conversation survives a restart (the SQLite file reopened)", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "responses-restart-" });
  const target = sqliteTarget(dir);
  let id: string;
  {
    const store = await target.open();
    const gw = testApp({}, { store });
    id = (await json(await gw.post("/v1/responses", { model: "mock-echo", input: "before" }))).id;
    await store.close();
  }
  const store = await target.open();
  try {
    const gw = testApp({}, { store });
    const next = await json(
      await gw.post("/v1/responses", {
        model: "mock-echo",
        previous_response_id: id,
        input: "after",
      }),
    );
    const items = await json(await gw.get(`/v1/responses/${next.id}/input_items?order=asc`));
    assert.deepEqual(items.data.map((i: Json) => i.content[0].text), ["before", "before", "after"]);
  } finally {
    await store.close();
    await target.drop();
  }
});

const pg = await tryStartPostgres();
if (pg.server === undefined) {
  registerPostgresSkipped("postgres responses", pg.reason);
} else {
  const server = pg.server;
  Deno.test("postgres responses: two gateways on one database continue each other's conversations", async () => {
    const target = await postgresBackend(server.url).fresh();
    const [storeA, storeB] = [await target.open(), await target.open()];
    try {
      const a = testApp({}, { store: storeA });
      const b = testApp({}, { store: storeB });
      const first = await json(
        await a.post("/v1/responses", { model: "mock-echo", input: "on A" }),
      );
      assert.deepEqual(await json(await b.get(`/v1/responses/${first.id}`)), first);
      const second = await json(
        await b.post("/v1/responses", {
          model: "mock-echo",
          previous_response_id: first.id,
          input: "on B",
        }),
      );
      const items = await json(await a.get(`/v1/responses/${second.id}/input_items?order=asc`));
      assert.deepEqual(items.data.map((i: Json) => i.content[0].text), ["on A", "on A", "on B"]);
      await json(await a.request(`/v1/responses/${first.id}`, { method: "DELETE" }));
      await json(await b.get(`/v1/responses/${first.id}`), 404);
    } finally {
      await storeA.close();
      await storeB.close();
      await target.drop();
    }
  });
  Deno.test("postgres responses: the test server shuts down cleanly", async () => {
    assert.equal(await server.stop(), 0);
  });
}

Deno.test("a store that fails while serving: reads are 503 store_unavailable, answers still go out (the failed save is logged)", async () => {
  const store = await freshStore();
  const gw = testApp({}, { store });
  const kept = await json(await gw.post("/v1/responses", { model: "mock-echo", input: "kept" }));
  await store.close();
  const read = await json(await gw.get(`/v1/responses/${kept.id}`), 503);
  assert.equal(read.error.code, "store_unavailable");
  const continued = await json(
    await gw.post("/v1/responses", {
      model: "mock-echo",
      previous_response_id: kept.id,
      input: "x",
    }),
    503,
  );
  assert.equal(continued.error.code, "store_unavailable");
  const answered = await json(
    await gw.post("/v1/responses", { model: "mock-echo", input: "still" }),
  );
  assert.equal(answered.output[0].content[0].text, "still");
  assert.ok(
    gw.logs().some((l) => l.msg === "stored response not saved" && l.id === answered.id),
    "the failed save is logged",
  );
});
