import assert from "node:assert/strict";
import { createLocalFileStore } from "../../../core/files/local_store.ts";
import { chunked, rejectsWith, runStoreContract, steppingClock } from "./store_contract.ts";

const META = { filename: "a.txt", purpose: "assistants" as const, contentType: "text/plain" };

Deno.test("local store: the FileStore contract", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "files-local-" });
  try {
    let n = 0;
    await runStoreContract(t, (now) => createLocalFileStore({ dir: `${root}/store${n++}`, now }));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("local store: content and metadata side by side; no temp files after failures", async () => {
  const dir = await Deno.makeTempDir({ prefix: "files-local-" });
  try {
    const store = createLocalFileStore({ dir, now: steppingClock() });
    const file = await store.put(chunked(new TextEncoder().encode("abc")), META, 10);
    await rejectsWith(
      store.put(chunked(new Uint8Array(50)), META, 10),
      "too_large",
      "request_too_large",
    );
    await assert.rejects(store.put(chunked(new Uint8Array(5)), Promise.reject(new Error("x")), 10));
    const names = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    assert.deepEqual(names.sort(), [file.id, `${file.id}.json`]);
    assert.equal(await Deno.readTextFile(`${dir}/${file.id}`), "abc");
    assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/${file.id}.json`)).filename, "a.txt");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("local store: ids never reach outside the directory", async () => {
  const root = await Deno.makeTempDir({ prefix: "files-local-" });
  try {
    // A metadata-looking file outside the store directory must stay unreachable.
    const outsideId = `file-${"A".repeat(24)}`;
    await Deno.writeTextFile(`${root}/${outsideId}.json`, JSON.stringify({ id: outsideId }));
    const store = createLocalFileStore({ dir: `${root}/store` });
    await rejectsWith(store.get(`../${outsideId}`), "not_found", "file_not_found");
    await rejectsWith(store.delete(`../${outsideId}`), "not_found", "file_not_found");
    assert.ok((await Deno.stat(`${root}/${outsideId}.json`)).isFile);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("local store: a missing directory lists as empty", async () => {
  const store = createLocalFileStore({ dir: "/nonexistent/gateway-files-test" });
  assert.deepEqual(await store.list({ limit: 5, order: "desc" }), { data: [], has_more: false });
});
