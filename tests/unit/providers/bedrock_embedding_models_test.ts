import assert from "node:assert/strict";
import { createBedrockEmbeddingLister } from "../../../core/providers/bedrock/embedding_models.ts";
import { BEDROCK_EMBEDDING_MODELS } from "../../../core/providers/bedrock/embeddings.ts";
import { createLogger } from "../../../core/logger.ts";

Deno.test("embedding lister: all served models without a client or when listing fails", async () => {
  const lines: string[] = [];
  const logger = createLogger("warn", (line) => lines.push(line));
  const offline = createBedrockEmbeddingLister({ client: undefined, logger, owner: "aws" });
  const all = await offline();
  assert.deepEqual(all.map((m) => m.id), [...BEDROCK_EMBEDDING_MODELS]);
  assert.ok(all.every((m) => m.owned_by === "aws"));
  const failing = createBedrockEmbeddingLister({
    client: { send: () => Promise.reject(new Error("no network")) } as never,
    logger,
    owner: "aws",
  });
  assert.deepEqual((await failing()).map((m) => m.id), [...BEDROCK_EMBEDDING_MODELS]);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /embedding model list unavailable/);
});
