/**
 * The Bedrock embedding models `/v1/models` lists: with the control-plane client, those of the
 * served ones (`embeddings.ts`) that ListFoundationModels reports for the region (output modality
 * EMBEDDING, on demand); without it, or when that listing fails, all of them (as the chat catalog
 * stands in for the chat listing). Cached; never throws.
 */
import { ListFoundationModelsCommand } from "@aws-sdk/client-bedrock";
import { cached } from "../../cache.ts";
import type { ModelInfo } from "../../formats/openai/schema.ts";
import type { Logger } from "../../logger.ts";
import { BEDROCK_EMBEDDING_MODELS, bedrockEmbeddingModels } from "./embeddings.ts";
import { mapBedrockError } from "./errors.ts";
import type { BedrockControlClient } from "./models.ts";

/** Options of {@link createBedrockEmbeddingLister}. */
export interface BedrockEmbeddingListerOptions {
  client: BedrockControlClient | undefined;
  logger: Logger;
  /** The instance id, the entries' `owned_by`. */
  owner: string;
  /** How long a listing is reused; default 10 minutes. */
  ttlMs?: number;
}

/**
 * Creates the cached lister.
 *
 * @example
 * const list = createBedrockEmbeddingLister({ client: undefined, logger, owner: "bedrock" });
 * (await list()).map((m) => m.id); // every served embedding model
 */
export function createBedrockEmbeddingLister(
  options: BedrockEmbeddingListerOptions,
): () => Promise<ModelInfo[]> {
  const { client, logger, owner } = options;
  return cached(async () => {
    if (client === undefined) return bedrockEmbeddingModels(owner);
    try {
      const response = await client.send(
        new ListFoundationModelsCommand({
          byOutputModality: "EMBEDDING",
          byInferenceType: "ON_DEMAND",
        }),
      );
      const offered = new Set((response.modelSummaries ?? []).map((m) => m.modelId));
      return bedrockEmbeddingModels(owner).filter((m) => offered.has(m.id));
    } catch (error) {
      logger.warn("bedrock embedding model list unavailable; listing the served ones", {
        provider: owner,
        error: mapBedrockError(error).message,
        models: BEDROCK_EMBEDDING_MODELS.length,
      });
      return bedrockEmbeddingModels(owner);
    }
  }, options.ttlMs ?? 10 * 60_000);
}
