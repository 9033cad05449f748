/**
 * Stored responses through the official `openai` client against a spawned gateway:
 * `responses.create` with `previous_response_id`, `responses.retrieve`,
 * `responses.inputItems.list` (auto-paging), `responses.delete` and the SDK's NotFoundError, and
 * a conversation that survives a gateway restart (the same `DATA_DIR`, a new process).
 */
import assert from "node:assert/strict";
import OpenAI, { NotFoundError } from "openai";
import { spawnGateway } from "../helpers/server.ts";

const clientOf = (url: string) =>
  new OpenAI({ apiKey: "unused", baseURL: `${url}/v1`, maxRetries: 0 });

Deno.test("openai SDK: previous_response_id, retrieve, inputItems.list, delete; a restart keeps the conversation", async () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "responses-sdk-" });
  try {
    let firstId: string;
    {
      const gw = await spawnGateway({ DATA_DIR: dataDir });
      try {
        const client = clientOf(gw.url);
        const first = await client.responses.create({ model: "mock-echo", input: "remember me" });
        firstId = first.id;
        const second = await client.responses.create({
          model: "mock-echo",
          previous_response_id: first.id,
          input: "and me",
        });
        assert.equal(second.previous_response_id, first.id);
        const retrieved = await client.responses.retrieve(second.id);
        assert.equal(retrieved.output_text, "and me");
        assert.deepEqual(retrieved.usage, second.usage);

        const texts: string[] = [];
        for await (
          const item of client.responses.inputItems.list(second.id, { limit: 1, order: "asc" })
        ) {
          assert.equal(item.type, "message");
          const part = (item as { content: Array<{ text: string }> }).content[0];
          texts.push(part.text);
        }
        assert.deepEqual(texts, ["remember me", "remember me", "and me"]);

        await client.responses.delete(second.id);
        await assert.rejects(client.responses.retrieve(second.id), NotFoundError);
        await assert.rejects(
          client.responses.create({
            model: "mock-echo",
            previous_response_id: second.id,
            input: "x",
          }),
          (error: unknown) =>
            error instanceof NotFoundError && error.param === "previous_response_id",
        );
      } finally {
        await gw.stop();
      }
    }
    const gw = await spawnGateway({ DATA_DIR: dataDir });
    try {
      const client = clientOf(gw.url);
      const after = await client.responses.create({
        model: "mock-echo",
        previous_response_id: firstId,
        input: "after the restart",
      });
      const page = await client.responses.inputItems.list(after.id, { order: "asc" });
      assert.deepEqual(
        page.data.map((item) => (item as { content: Array<{ text: string }> }).content[0].text),
        ["remember me", "remember me", "after the restart"],
      );
    } finally {
      await gw.stop();
    }
  } finally {
    Deno.removeSync(dataDir, { recursive: true });
  }
});
