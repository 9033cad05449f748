import assert from "node:assert/strict";
import { CliError } from "../../../cli/errors.ts";
import {
  createHistoryStore,
  newSession,
  newSessionId,
  SESSION_ID,
  sessionTitle,
  toMarkdown,
} from "../../../cli/history_store.ts";

Deno.test("newSessionId is sortable by time and a valid id", () => {
  assert.equal(
    newSessionId(new Date("2025-01-02T03:04:05Z"), () => "ab12"),
    "20250102-030405-ab12",
  );
  assert.match(newSessionId(new Date()), SESSION_ID);
  assert.ok(!SESSION_ID.test("../x"));
  assert.ok(!SESSION_ID.test(".hidden"));
  assert.ok(!SESSION_ID.test("a/b"));
});

Deno.test("history store: save, load, list newest first, remove, errors", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = createHistoryStore(`${dir}/nested/history`);
    assert.deepEqual(await store.list(), [], "a missing directory is an empty history");
    const older = { ...newSession("m", "sys", new Date("2025-01-01T00:00:00Z")), id: "old" };
    older.messages = [{ role: "user", content: "first question" }];
    const newer = { ...newSession("m", undefined, new Date("2025-02-01T00:00:00Z")), id: "new" };
    const path = await store.save(older);
    assert.equal(path, `${dir}/nested/history/old.json`);
    await store.save(newer);
    await Deno.writeTextFile(`${dir}/nested/history/junk.json`, "{not json");
    await Deno.writeTextFile(`${dir}/nested/history/other.json`, '{"x":1}');
    assert.deepEqual((await store.list()).map((s) => s.id), ["new", "old"]);
    assert.deepEqual(await store.load("old"), older);
    assert.equal(sessionTitle(older), "first question");
    await store.remove("old");
    await assert.rejects(
      () => store.load("old"),
      (e) => e instanceof CliError && /No saved session 'old'/.test(e.message),
    );
    await assert.rejects(() => store.remove("old"), CliError);
    await assert.rejects(() => store.load("other"), /not a chat session/);
    assert.throws(
      () => store.pathOf("../../etc/passwd"),
      (e) => e instanceof CliError && e.exitCode === 2,
    );
    assert.deepEqual(
      [...Deno.readDirSync(`${dir}/nested/history`)].filter((e) => e.name.endsWith(".tmp")),
      [],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("toMarkdown transcript", () => {
  const session = { ...newSession("m", "sys", new Date("2025-01-01T00:00:00Z")), id: "s1" };
  session.messages = [
    { role: "user", content: [{ type: "text", text: "q" }] },
    {
      role: "assistant",
      content: null,
      tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }],
    },
  ] as typeof session.messages;
  assert.equal(
    toMarkdown(session),
    "# Chat s1\n\n- model: m\n- created: 2025-01-01T00:00:00.000Z\n- system: sys\n\n## user\n\nq\n\n## assistant\n\n- tool call `f({})`\n",
  );
});
