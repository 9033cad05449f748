import assert from "node:assert/strict";
import {
  applyFileContext,
  buildFileContext,
  MAX_FILE_IDS,
  prependToLastUserMessage,
  truncationMarker,
} from "../../../core/chat/file_context.ts";
import { createLocalFileStore } from "../../../core/files/local_store.ts";
import type { StoredFile } from "../../../core/files/store.ts";
import type { ChatMessage } from "../../../core/formats/openai/schema.ts";
import { chunked, rejectsWith } from "./store_contract.ts";

const file = (id: string, filename: string, bytes: number): StoredFile => ({
  id,
  filename,
  bytes,
  purpose: "assistants",
  contentType: "text/plain",
  createdAt: 0,
  createdAtMs: 0,
});

Deno.test("file context: block format, attribute escaping", () => {
  const id = `file-${"a".repeat(24)}`;
  assert.equal(
    buildFileContext(
      [{ file: file(id, 'a "b" <c>&\nd.txt', 5), kind: "text", text: "hello" }],
      1000,
    ),
    `[Attached files: 1. The extracted text of each follows.]\n<file id="${id}" name="a &quot;b&quot; &lt;c&gt;&amp; d.txt" type="text" bytes="5">\nhello\n</file>`,
  );
});

Deno.test("file context: cut to exactly maxChars, ending with the truncated marker", async (t) => {
  const sections = [{
    file: file(`file-${"b".repeat(24)}`, "x.txt", 9),
    kind: "text" as const,
    text: "x".repeat(5000),
  }];
  for (const max of [150, 1000, 4999]) {
    await t.step(`max ${max}`, () => {
      const out = buildFileContext(sections, max);
      assert.equal(out.length, max);
      assert.ok(out.endsWith(`\n${truncationMarker(max)}`));
      assert.match(out, /truncated/);
    });
  }
  assert.equal(buildFileContext(sections, 10), truncationMarker(10));
});

Deno.test("file context: prepended to the last user message, whatever its content shape", () => {
  const rows: Array<[ChatMessage[], ChatMessage[]]> = [
    [[{ role: "user", content: "q" }], [{
      role: "user",
      content: [{ type: "text", text: "CTX" }, { type: "text", text: "q" }],
    }]],
    [[{ role: "user", content: "" }], [{ role: "user", content: [{ type: "text", text: "CTX" }] }]],
    [
      [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:x" } }] }, {
        role: "assistant",
        content: "a",
      }],
      [{
        role: "user",
        content: [{ type: "text", text: "CTX" }, {
          type: "image_url",
          image_url: { url: "data:x" },
        }],
      }, { role: "assistant", content: "a" }],
    ],
    [[{ role: "system", content: "s" }], [{ role: "system", content: "s" }, {
      role: "user",
      content: [{ type: "text", text: "CTX" }],
    }]],
  ];
  for (const [input, expected] of rows) {
    assert.deepEqual(prependToLastUserMessage(input, "CTX"), expected);
  }
});

Deno.test("file context: no file_ids → unchanged; empty → field removed; too many → 400; no store → 404", async () => {
  const request = { model: "m", messages: [{ role: "user" as const, content: "q" }] };
  assert.equal(await applyFileContext(request, undefined), request);
  assert.deepEqual(await applyFileContext({ ...request, file_ids: [] }, undefined), request);
  const ids = Array.from(
    { length: MAX_FILE_IDS + 1 },
    (_, i) => `file-${String(i).padStart(24, "0")}`,
  );
  await rejectsWith(
    applyFileContext({ ...request, file_ids: ids }, undefined),
    "invalid_request",
    "invalid_value",
  );
  await rejectsWith(
    applyFileContext({ ...request, file_ids: [ids[0]] }, undefined),
    "not_found",
    "file_not_found",
  );
});

Deno.test("file context: a failing extractor never puts its error text in the prompt", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = createLocalFileStore({ dir });
    const stored = await store.put(chunked(new TextEncoder().encode("data")), {
      filename: "d.txt",
      purpose: "assistants",
      contentType: "text/plain",
    }, 100);
    const request = {
      model: "m",
      messages: [{ role: "user" as const, content: "q" }],
      file_ids: [stored.id],
    };
    const error = await applyFileContext(request, {
      store,
      maxChars: 1000,
      extract: () => Promise.reject(new Error("ENOENT /internal/path")),
    }).then(() => undefined, (e) => e);
    assert.ok(error instanceof Error); // the request fails (500), nothing reaches the model
    const ok = await applyFileContext(request, { store, maxChars: 1000 });
    assert.doesNotMatch(JSON.stringify(ok), /ENOENT|internal/);
    assert.equal("file_ids" in ok, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
