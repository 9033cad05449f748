/**
 * `POST /v1/embeddings`: OpenAI's embeddings API for every provider's embedding models; the body
 * is read under the JSON limits and validated by the one embeddings schema.
 */
import { Hono } from "hono";
import type { EmbeddingsService } from "../../core/embeddings/service.ts";
import { parseEmbeddingRequest } from "../../core/embeddings/schema.ts";
import { type BodyLimits, readJson } from "../body.ts";
import { clientSignal } from "../client_signal.ts";
import type { AppEnv } from "../types.ts";

/** The embeddings route, mounted at `/v1/embeddings`. */
export function embeddingsRoute(embeddings: EmbeddingsService, limits: BodyLimits): Hono<AppEnv> {
  return new Hono<AppEnv>().post("/", async (c) => {
    const request = parseEmbeddingRequest(await readJson(c.req.raw, limits));
    const { signal } = clientSignal(c.req.raw);
    return c.json(await embeddings.create(request, { signal, meta: c.var.meta }));
  });
}
