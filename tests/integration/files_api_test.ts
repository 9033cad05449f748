/**
 * The Files API in process: upload, list, retrieve, content, delete; validation, limits, ids
 * that try to escape FILES_DIR, concurrency, authentication, tRPC `files.*`.
 */
import assert from "node:assert/strict";
import { createGatewayClient } from "../../routers/client.ts";
import { ORIGIN } from "../helpers/app.ts";
import { filesApp, upload, uploaded, uploadForm } from "./files_helpers.ts";

const FILE_ID = /^file-[A-Za-z0-9]{24,}$/;

Deno.test("files: upload → retrieve → list → content → delete, OpenAI-shaped", async () => {
  await using app = await filesApp();
  const { gw } = app;
  const res = await upload(gw, uploadForm("hello files\n", "notes.txt", "user_data"));
  assert.equal(res.status, 200);
  const file = await res.json();
  assert.match(file.id, FILE_ID);
  assert.deepEqual(
    { ...file, id: "x", created_at: 0 },
    {
      id: "x",
      object: "file",
      bytes: 12,
      created_at: 0,
      filename: "notes.txt",
      purpose: "user_data",
      status: "processed",
    },
  );
  assert.ok(Math.abs(file.created_at - Date.now() / 1000) < 60);

  assert.deepEqual(await (await gw.get(`/v1/files/${file.id}`)).json(), file);
  assert.deepEqual(await (await gw.get("/v1/files")).json(), {
    object: "list",
    data: [file],
    has_more: false,
    first_id: file.id,
    last_id: file.id,
  });

  const content = await gw.get(`/v1/files/${file.id}/content`);
  assert.equal(content.status, 200);
  assert.equal(content.headers.get("content-type"), "text/plain");
  assert.equal(content.headers.get("content-length"), "12");
  assert.equal(content.headers.get("x-content-type-options"), "nosniff");
  assert.equal(
    content.headers.get("content-disposition"),
    `attachment; filename="notes.txt"; filename*=UTF-8''notes.txt`,
  );
  assert.equal(await content.text(), "hello files\n");

  const deleted = await gw.request(`/v1/files/${file.id}`, { method: "DELETE" });
  assert.deepEqual(await deleted.json(), { id: file.id, object: "file", deleted: true });
  for (const path of [`/v1/files/${file.id}`, `/v1/files/${file.id}/content`]) {
    const gone = await gw.get(path);
    assert.equal(gone.status, 404);
    const body = await gone.json();
    assert.equal(body.error.code, "file_not_found");
    assert.equal(body.error.type, "invalid_request_error");
  }
  const again = await gw.request(`/v1/files/${file.id}`, { method: "DELETE" });
  assert.equal(again.status, 404);
  assert.deepEqual(await app.entries(), []);
});

Deno.test("files: content is byte-exact with the stored type and an RFC 6266 filename*", async () => {
  await using app = await filesApp();
  const bytes = new Uint8Array(1024).map((_, i) => (i * 7) % 256);
  const file = await uploaded(app.gw, bytes, "résumé final (2024)*.bin", "application/x-custom");
  const res = await app.gw.get(`/v1/files/${file.id}/content`);
  assert.equal(res.headers.get("content-type"), "application/x-custom");
  assert.equal(
    res.headers.get("content-disposition"),
    `attachment; filename="r_sum_ final (2024)*.bin"; filename*=UTF-8''r%C3%A9sum%C3%A9%20final%20%282024%29%2A.bin`,
  );
  assert.deepEqual(new Uint8Array(await res.arrayBuffer()), bytes);
});

Deno.test("files: purpose before the file part, and a client path in the filename", async () => {
  await using app = await filesApp();
  const form = new FormData();
  form.append("purpose", "batch");
  form.append("file", new File(["{}"], "C:\\Users\\me\\batch.jsonl"));
  const res = await upload(app.gw, form);
  const file = await res.json();
  assert.equal(res.status, 200, JSON.stringify(file));
  assert.equal(file.purpose, "batch");
  assert.equal(file.filename, "batch.jsonl");
});

Deno.test("files: bad uploads are 400s that leave nothing behind", async (t) => {
  await using app = await filesApp();
  const cases: Array<[string, () => Promise<Response>, string, string]> = [
    [
      "unknown purpose",
      () => upload(app.gw, uploadForm("x", "a.txt", "training")),
      "purpose",
      "invalid_value",
    ],
    [
      "missing purpose",
      () => upload(app.gw, uploadForm("x", "a.txt", null)),
      "purpose",
      "missing_required_parameter",
    ],
    [
      "missing file",
      () => {
        const form = new FormData();
        form.append("purpose", "assistants");
        return upload(app.gw, form);
      },
      "file",
      "missing_required_parameter",
    ],
    ["empty file", () => upload(app.gw, uploadForm("", "empty.txt")), "file", "empty_file"],
    [
      "not multipart",
      () => app.gw.post("/v1/files", { file: "x", purpose: "assistants" }),
      "file",
      "invalid_value",
    ],
  ];
  for (const [name, send, param, code] of cases) {
    await t.step(name, async () => {
      const res = await send();
      assert.equal(res.status, 400);
      const { error } = await res.json();
      assert.equal(error.type, "invalid_request_error");
      assert.equal(error.param, param);
      assert.equal(error.code, code);
    });
  }
  assert.deepEqual(await app.entries(), []);
});

Deno.test("files: MAX_FILE_BYTES is enforced while reading (413), exact size accepted", async (t) => {
  await using app = await filesApp({ MAX_FILE_BYTES: "1000", MAX_REQUEST_BYTES: "100" });
  await t.step("exactly MAX_FILE_BYTES, above MAX_REQUEST_BYTES, is accepted", async () => {
    const res = await upload(app.gw, uploadForm("x".repeat(1000), "ok.txt"));
    assert.equal(res.status, 200);
    assert.equal((await res.json()).bytes, 1000);
  });
  await t.step("one byte more is 413 request_too_large", async () => {
    const res = await upload(app.gw, uploadForm("x".repeat(1001), "big.txt"));
    assert.equal(res.status, 413);
    const { error } = await res.json();
    assert.equal(error.code, "request_too_large");
    assert.match(error.message, /MAX_FILE_BYTES/);
  });
  await t.step("a chunked body (no content-length) far over the limit is 413", async () => {
    const form = uploadForm("y".repeat(500_000), "huge.txt");
    const body = new Response(form);
    const res = await app.gw.request("/v1/files", {
      method: "POST",
      headers: { "content-type": body.headers.get("content-type")! },
      body: body.body,
    });
    assert.equal(res.status, 413);
    assert.equal((await res.json()).error.code, "request_too_large");
  });
  await t.step("a declared content-length over the limit is refused before reading", async () => {
    const res = await app.gw.request("/v1/files", {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=x", "content-length": "99999999" },
      body: "--x--",
    });
    assert.equal(res.status, 413);
    await res.body?.cancel();
  });
  await t.step("chat bodies keep MAX_REQUEST_BYTES", async () => {
    const res = await app.gw.post("/v1/chat/completions", {
      model: "mock-echo",
      messages: [{ role: "user", content: "z".repeat(200) }],
    });
    assert.equal(res.status, 413);
    await res.body?.cancel();
  });
  const names = await app.entries();
  assert.equal(names.length, 2, names.join(", "));
  assert.ok(names.every((n) => !n.startsWith(".tmp")));
});

Deno.test("files: ten concurrent uploads all land", async () => {
  await using app = await filesApp();
  const files = await Promise.all(
    Array.from({ length: 10 }, (_, i) => uploaded(app.gw, `content ${i}`.repeat(100), `f${i}.txt`)),
  );
  assert.equal(new Set(files.map((f) => f.id)).size, 10);
  const list = await (await app.gw.get("/v1/files?limit=100")).json();
  assert.equal(list.data.length, 10);
  for (const [i, file] of files.entries()) {
    const res = await app.gw.get(`/v1/files/${file.id}/content`);
    assert.equal(await res.text(), `content ${i}`.repeat(100));
  }
  assert.equal((await app.entries()).length, 20);
});

Deno.test("files: malformed and traversal ids are 404 and touch nothing", async () => {
  await using app = await filesApp();
  const file = await uploaded(app.gw, "keep me", "keep.txt");
  const paths = [
    "/v1/files/..%2F..%2Fetc%2Fpasswd",
    "/v1/files/file-..%2F..%2F..%2Fetc%2Fpasswd",
    `/v1/files/${file.id}.json`,
    `/v1/files/${file.id}%00`,
    "/v1/files/file-short",
    `/v1/files/%2E%2E`,
    `/v1/files/file-${"Z".repeat(24)}`,
  ];
  for (const path of paths) {
    for (const [method, suffix] of [["GET", ""], ["GET", "/content"], ["DELETE", ""]]) {
      const res = await app.gw.request(path + suffix, { method });
      assert.equal(res.status, 404, `${method} ${path}${suffix}`);
      const body = await res.json();
      assert.ok(["file_not_found", "not_found"].includes(body.error.code), body.error.code);
    }
  }
  assert.equal(await (await app.gw.get(`/v1/files/${file.id}/content`)).text(), "keep me");
});

Deno.test("files: list with purpose, limit, after, order and has_more; bad params are 400", async () => {
  await using app = await filesApp();
  const ids: string[] = [];
  for (const purpose of ["assistants", "vision", "assistants", "evals"]) {
    const res = await upload(app.gw, uploadForm(purpose, `${purpose}.txt`, purpose));
    ids.push((await res.json()).id);
    await new Promise((r) => setTimeout(r, 3)); // distinct creation times
  }
  const asc = await (await app.gw.get("/v1/files?order=asc&limit=3")).json();
  assert.deepEqual(asc.data.map((f: { id: string }) => f.id), ids.slice(0, 3));
  assert.equal(asc.has_more, true);
  const rest = await (await app.gw.get(`/v1/files?order=asc&limit=3&after=${asc.last_id}`)).json();
  assert.deepEqual(rest.data.map((f: { id: string }) => f.id), ids.slice(3));
  assert.equal(rest.has_more, false);
  const desc = await (await app.gw.get("/v1/files?purpose=assistants")).json();
  assert.deepEqual(desc.data.map((f: { id: string }) => f.id), [ids[2], ids[0]]);
  for (
    const [query, param] of [["limit=0", "limit"], ["limit=abc", "limit"], ["order=up", "order"]]
  ) {
    const res = await app.gw.get(`/v1/files?${query}`);
    assert.equal(res.status, 400, query);
    assert.equal((await res.json()).error.param, param);
  }
});

Deno.test("files: every route needs the client key when API_KEY is set; wrong methods are 405", async () => {
  await using app = await filesApp({ API_KEY: "files-key" });
  const id = `file-${"a".repeat(24)}`;
  for (
    const [method, path] of [
      ["POST", "/v1/files"],
      ["GET", "/v1/files"],
      ["GET", `/v1/files/${id}`],
      ["GET", `/v1/files/${id}/content`],
      ["DELETE", `/v1/files/${id}`],
    ]
  ) {
    const res = await app.gw.request(path, {
      method,
      body: method === "POST" ? uploadForm("x", "a.txt") : undefined,
    });
    assert.equal(res.status, 401, `${method} ${path}`);
    await res.body?.cancel();
  }
  const ok = await upload(app.gw, uploadForm("x", "a.txt"), { authorization: "Bearer files-key" });
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
  const put = await app.gw.request("/v1/files", {
    method: "PUT",
    headers: { "x-api-key": "files-key" },
  });
  assert.equal(put.status, 405);
  await put.body?.cancel();
  assert.deepEqual((await app.entries()).length, 2);
});

Deno.test("files: tRPC files.list, files.get, files.delete", async () => {
  await using app = await filesApp({ API_KEY: "k" });
  const file = await (await upload(app.gw, uploadForm("abc", "t.txt"), { "x-api-key": "k" }))
    .json();
  const client = createGatewayClient({
    url: ORIGIN,
    apiKey: "k",
    fetch: (input, init) => app.gw.handler(new Request(input, init)),
  });
  const list = await client.files.list.query({ limit: 5 });
  assert.deepEqual(list.data, [file]);
  assert.equal(list.has_more, false);
  assert.deepEqual(await client.files.get.query({ id: file.id }), file);
  assert.deepEqual(await client.files.delete.mutate({ id: file.id }), {
    id: file.id,
    object: "file",
    deleted: true,
  });
  const error = await client.files.get.query({ id: file.id }).then(() => undefined, (e) => e);
  assert.equal(error?.data?.code, "NOT_FOUND");
  assert.equal(error?.data?.gateway?.code, "file_not_found");
  const unauth = createGatewayClient({
    url: ORIGIN,
    fetch: (input, init) => app.gw.handler(new Request(input, init)),
  });
  const denied = await unauth.files.list.query().then(() => undefined, (e) => e);
  assert.equal(denied?.data?.code, "UNAUTHORIZED");
});
