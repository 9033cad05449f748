import assert from "node:assert/strict";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { createS3FileStore } from "../../../core/files/s3_store.ts";
import { startS3Server } from "./s3_server.ts";
import { chunked, rejectsWith, runStoreContract, steppingClock } from "./store_contract.ts";

const META = { filename: "a.txt", purpose: "assistants" as const, contentType: "text/plain" };

Deno.test("s3 store: the FileStore contract against a real S3-compatible server", async (t) => {
  await using s3 = await startS3Server();
  const client = s3.client();
  let n = 0;
  await runStoreContract(
    t,
    (now) => createS3FileStore({ client, bucket: s3.bucket, prefix: `run${n++}/`, now }),
  );
});

Deno.test("s3 store: one content and one metadata object per file; failures leave none", async () => {
  await using s3 = await startS3Server();
  const client = s3.client();
  const store = createS3FileStore({ client, bucket: s3.bucket, now: steppingClock() });
  const file = await store.put(chunked(new TextEncoder().encode("abc")), META, 10);
  await rejectsWith(
    store.put(chunked(new Uint8Array(50)), META, 10),
    "too_large",
    "request_too_large",
  );
  await assert.rejects(store.put(chunked(new Uint8Array(5)), Promise.reject(new Error("x")), 10));
  const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
  assert.deepEqual(
    (listed.Contents ?? []).map((o) => o.Key).sort(),
    [`files/content/${file.id}`, `files/meta/${file.id}.json`],
  );
});

Deno.test("s3 store: listing pages through more than one ListObjects page", async () => {
  await using s3 = await startS3Server();
  const store = createS3FileStore({
    client: s3.client(),
    bucket: s3.bucket,
    listPageSize: 5,
    now: steppingClock(),
  });
  const ids = [];
  for (let i = 0; i < 12; i++) {
    ids.push((await store.put(chunked(new Uint8Array([i])), META, 1)).id);
  }
  const page = await store.list({ limit: 5, order: "asc", after: ids[4] });
  assert.deepEqual(page.data.map((f) => f.id), ids.slice(5, 10));
  assert.equal(page.has_more, true);
});

Deno.test("s3 store: a large upload goes multipart and comes back intact", async () => {
  await using s3 = await startS3Server();
  const store = createS3FileStore({ client: s3.client(), bucket: s3.bucket });
  const data = new Uint8Array(6 * 1024 * 1024 + 17).map((_, i) => (i * 31) % 251);
  const file = await store.put(chunked(data, 64 * 1024), META, data.length);
  const { body } = await store.open(file.id);
  assert.deepEqual(new Uint8Array(await new Response(body).arrayBuffer()), data);
});
