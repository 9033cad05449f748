/**
 * The contract every {@link FileStore} backend passes (local directory, S3). A backend's test
 * calls {@link runStoreContract} inside one `Deno.test`, with a factory building a fresh, empty
 * store on the given clock; each rule is a step.
 */
import assert from "node:assert/strict";
import { GatewayError } from "../../../core/errors.ts";
import {
  FILE_ID_PATTERN,
  type FileMeta,
  type FileStore,
  readAll,
} from "../../../core/files/store.ts";

/** Builds a fresh, empty store whose clock is `now`. */
export type StoreFactory = (now: () => Date) => FileStore | Promise<FileStore>;

const META: FileMeta = { filename: "notes.txt", purpose: "assistants", contentType: "text/plain" };

/** A stream of `bytes` cut into chunks of `size`. */
export function chunked(bytes: Uint8Array, size = 7): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

const text = (s: string) => chunked(new TextEncoder().encode(s));

/** A clock that advances one second per call, from a fixed instant. */
export function steppingClock(start = Date.UTC(2025, 0, 1)): () => Date {
  let t = start;
  return () => new Date(t += 1000);
}

/** Asserts a promise rejects with a GatewayError of `kind` and `code`. */
export async function rejectsWith(
  promise: Promise<unknown>,
  kind: string,
  code: string,
): Promise<GatewayError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof GatewayError, `expected a GatewayError, got ${String(error)}`);
  assert.equal(error.kind, kind);
  assert.equal(error.code, code);
  return error;
}

/** Runs the contract as steps of `t` against stores built by `make`. */
export async function runStoreContract(t: Deno.TestContext, make: StoreFactory): Promise<void> {
  await t.step("put streams content and get returns its metadata", async () => {
    const store = await make(steppingClock());
    const file = await store.put(text("hello, files"), META, 1000);
    assert.match(file.id, FILE_ID_PATTERN);
    assert.equal(file.bytes, 12);
    assert.equal(file.createdAt, Date.UTC(2025, 0, 1) / 1000 + 1);
    assert.deepEqual(await store.get(file.id), file);
    const { bytes } = await readAll(store, file.id);
    assert.equal(new TextDecoder().decode(bytes), "hello, files");
  });

  await t.step("content comes back byte for byte (all 256 byte values, many chunks)", async () => {
    const store = await make(steppingClock());
    const data = new Uint8Array(256 * 40).map((_, i) => i % 256);
    const file = await store.put(
      chunked(data, 333),
      { ...META, contentType: "x/bin" },
      data.length,
    );
    assert.equal(file.bytes, data.length);
    const opened = await store.open(file.id);
    assert.equal(opened.file.contentType, "x/bin");
    assert.deepEqual(new Uint8Array(await new Response(opened.body).arrayBuffer()), data);
  });

  await t.step("an empty file is stored with 0 bytes", async () => {
    const store = await make(steppingClock());
    const file = await store.put(chunked(new Uint8Array()), META, 10);
    assert.equal(file.bytes, 0);
    assert.equal((await readAll(store, file.id)).bytes.length, 0);
  });

  await t.step("more than limit bytes → 413 and nothing is left behind", async () => {
    const store = await make(steppingClock());
    await rejectsWith(
      store.put(text("x".repeat(101)), META, 100),
      "too_large",
      "request_too_large",
    );
    const exact = await store.put(text("x".repeat(100)), META, 100);
    assert.equal(exact.bytes, 100);
    assert.deepEqual((await store.list({ limit: 100, order: "asc" })).data.map((f) => f.id), [
      exact.id,
    ]);
  });

  await t.step("a rejected metadata promise discards the upload", async () => {
    const store = await make(steppingClock());
    const refused = new GatewayError("invalid_request", "bad purpose", { param: "purpose" });
    await rejectsWith(
      store.put(text("abc"), Promise.reject(refused), 10),
      "invalid_request",
      "invalid_value",
    );
    assert.equal((await store.list({ limit: 100, order: "asc" })).data.length, 0);
  });

  await t.step("a failing content stream discards the upload", async () => {
    const store = await make(steppingClock());
    const broken = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([1, 2, 3]));
        controller.error(new Error("client went away"));
      },
    });
    await assert.rejects(store.put(broken, META, 10));
    assert.equal((await store.list({ limit: 100, order: "asc" })).data.length, 0);
  });

  await t.step("list: order, purpose filter, limit, after cursor, has_more", async () => {
    const store = await make(steppingClock());
    const ids: string[] = [];
    for (const purpose of ["assistants", "batch", "assistants", "vision", "assistants"] as const) {
      ids.push((await store.put(text(purpose), { ...META, purpose }, 100)).id);
    }
    const all = await store.list({ limit: 100, order: "desc" });
    assert.deepEqual(all.data.map((f) => f.id), [...ids].reverse());
    assert.equal(all.has_more, false);
    const asc = await store.list({ limit: 2, order: "asc" });
    assert.deepEqual(asc.data.map((f) => f.id), ids.slice(0, 2));
    assert.equal(asc.has_more, true);
    const next = await store.list({ limit: 2, order: "asc", after: asc.data[1].id });
    assert.deepEqual(next.data.map((f) => f.id), ids.slice(2, 4));
    assert.equal(next.has_more, true);
    const last = await store.list({ limit: 2, order: "asc", after: next.data[1].id });
    assert.deepEqual(last.data.map((f) => f.id), ids.slice(4));
    assert.equal(last.has_more, false);
    const assistants = await store.list({ purpose: "assistants", limit: 10, order: "asc" });
    assert.deepEqual(assistants.data.map((f) => f.id), [ids[0], ids[2], ids[4]]);
    const none = await store.list({ purpose: "evals", limit: 10, order: "asc" });
    assert.deepEqual(none, { data: [], has_more: false });
  });

  await t.step("delete removes content and metadata; unknown ids are file_not_found", async () => {
    const store = await make(steppingClock());
    const file = await store.put(text("bye"), META, 10);
    await store.delete(file.id);
    await rejectsWith(store.get(file.id), "not_found", "file_not_found");
    await rejectsWith(store.open(file.id), "not_found", "file_not_found");
    await rejectsWith(store.delete(file.id), "not_found", "file_not_found");
    assert.equal((await store.list({ limit: 10, order: "asc" })).data.length, 0);
  });

  await t.step("malformed and traversal ids are file_not_found", async () => {
    const store = await make(steppingClock());
    await store.put(text("x"), META, 10);
    for (
      const id of [
        "",
        "file-",
        "file-short",
        "../../etc/passwd",
        "file-../../../../etc/passwd",
        `file-${"a".repeat(24)}/../x`,
        `file-${"a".repeat(24)}.json`,
        `file-${"a".repeat(24)}\0`,
        `file-${"a".repeat(65)}`,
        `..%2Ffile-${"a".repeat(24)}`,
      ]
    ) {
      await rejectsWith(store.get(id), "not_found", "file_not_found");
      await rejectsWith(store.open(id), "not_found", "file_not_found");
      await rejectsWith(store.delete(id), "not_found", "file_not_found");
    }
    await rejectsWith(store.get(`file-${"Z".repeat(24)}`), "not_found", "file_not_found");
  });

  await t.step("ten concurrent uploads all land with distinct ids", async () => {
    const store = await make(() => new Date(Date.UTC(2025, 0, 1)));
    const files = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.put(text(`file ${i}`), META, 100)),
    );
    assert.equal(new Set(files.map((f) => f.id)).size, 10);
    const listed = await store.list({ limit: 100, order: "asc" });
    assert.deepEqual(
      listed.data.map((f) => f.id).sort(),
      files.map((f) => f.id).sort(),
    );
    for (const [i, file] of files.entries()) {
      assert.equal(new TextDecoder().decode((await readAll(store, file.id)).bytes), `file ${i}`);
    }
  });
}
