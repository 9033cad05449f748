/**
 * Files end to end: the spawned gateway (as `deno task start` runs it) driven by the official
 * `openai` client — `files.create/list/retrieve/content/delete`, then chat with `file_ids`
 * (an extra body field the SDK passes through), asserting the exact context the fake upstream
 * received. Run on the local backend and on the S3 backend (a real S3-compatible server on
 * loopback, reached through `AWS_ENDPOINT_URL_S3`), where two gateway instances share files.
 */
import assert from "node:assert/strict";
import OpenAI, { NotFoundError, toFile } from "openai";
import { completion, type FakeOpenAI, startFakeOpenAI } from "../fakes/openai_upstream.ts";
import { type SpawnedGateway, spawnGateway } from "../helpers/server.ts";
import { startS3Server } from "../unit/files/s3_server.ts";

const KEY = "gw-files-e2e-key";
const FIXTURES = new URL("../fixtures/files/", import.meta.url);

const sdk = (gw: SpawnedGateway) =>
  new OpenAI({ apiKey: KEY, baseURL: `${gw.url}/v1`, maxRetries: 0 });

/** Uploads the PDF fixture, checks every Files method, and chats with it. */
async function scenario(fake: FakeOpenAI, client: OpenAI, reader: OpenAI): Promise<void> {
  const pdf = Deno.readFileSync(new URL("report.pdf", FIXTURES));
  const created = await client.files.create({
    file: await toFile(pdf, "Q3 report é.pdf", { type: "application/pdf" }),
    purpose: "assistants",
  });
  assert.match(created.id, /^file-[A-Za-z0-9]{24,}$/);
  assert.equal(created.object, "file");
  assert.equal(created.bytes, pdf.length);
  assert.equal(created.filename, "Q3 report é.pdf");
  assert.equal(created.purpose, "assistants");
  assert.equal(created.status, "processed");

  const retrieved = await reader.files.retrieve(created.id);
  assert.deepEqual(retrieved, created);
  const page = await reader.files.list({ purpose: "assistants" });
  assert.deepEqual(page.data.map((f) => f.id), [created.id]);
  const content = await reader.files.content(created.id);
  assert.equal(content.headers.get("content-type"), "application/pdf");
  assert.match(
    content.headers.get("content-disposition") ?? "",
    /filename\*=UTF-8''Q3%20report%20%C3%A9\.pdf/,
  );
  assert.deepEqual(new Uint8Array(await content.arrayBuffer()), pdf);

  fake.script(completion({ content: "Revenue grew 12 percent." }));
  const answer = await reader.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "How much did revenue grow?" }],
    file_ids: [created.id],
  } as OpenAI.ChatCompletionCreateParamsNonStreaming);
  assert.equal(answer.choices[0].message.content, "Revenue grew 12 percent.");
  const sent = fake.chatRequests.at(-1)!.body as Record<string, unknown>;
  assert.equal("file_ids" in sent, false);
  assert.deepEqual(sent.messages, [{
    role: "user",
    content: [
      {
        type: "text",
        text: [
          "[Attached files: 1. The extracted text of each follows.]",
          `<file id="${created.id}" name="Q3 report é.pdf" type="pdf" bytes="${pdf.length}">`,
          "--- page 1 of 1 ---",
          "Quarterly report: revenue grew 12 percent.",
          "Second line of the sample PDF.",
          "</file>",
        ].join("\n"),
      },
      { type: "text", text: "How much did revenue grow?" },
    ],
  }]);

  const deleted = await client.files.delete(created.id);
  assert.deepEqual(deleted, { id: created.id, object: "file", deleted: true });
  await assert.rejects(reader.files.retrieve(created.id), (error: unknown) => {
    assert.ok(error instanceof NotFoundError);
    assert.equal((error as NotFoundError).code, "file_not_found");
    return true;
  });
  const before = fake.chatRequests.length;
  await assert.rejects(
    reader.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "again" }],
      file_ids: [created.id],
    } as OpenAI.ChatCompletionCreateParamsNonStreaming),
    NotFoundError,
  );
  assert.equal(fake.chatRequests.length, before);
}

Deno.test("e2e files (local backend) with the official openai client", async () => {
  await using fake = await startFakeOpenAI();
  await using gw = await spawnGateway({
    API_KEY: KEY,
    OPENAI_API_KEY: "sk-upstream",
    OPENAI_BASE_URL: fake.url,
  });
  const client = sdk(gw);
  await scenario(fake, client, client);

  const big = await client.files.create({
    file: await toFile(new Uint8Array(2 * 1024 * 1024).fill(65), "big.txt"),
    purpose: "user_data",
  });
  assert.equal(big.bytes, 2 * 1024 * 1024);
  await client.files.delete(big.id);
});

Deno.test("e2e files (S3 backend via AWS_ENDPOINT_URL_S3): two instances share files", async () => {
  await using s3 = await startS3Server();
  await using fake = await startFakeOpenAI();
  const env = {
    API_KEY: KEY,
    OPENAI_API_KEY: "sk-upstream",
    OPENAI_BASE_URL: fake.url,
    FILES_BACKEND: "s3",
    S3_FILES_BUCKET: s3.bucket,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    AWS_REGION: "us-east-1",
  };
  await using first = await spawnGateway(env);
  await using second = await spawnGateway(env);
  await scenario(fake, sdk(first), sdk(second));
});
