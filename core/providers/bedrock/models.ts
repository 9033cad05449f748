/**
 * The Bedrock model list for `/v1/models`: chat models from ListFoundationModels (text output,
 * on-demand, streaming) and ListInferenceProfiles through the injected `@aws-sdk/client-bedrock`
 * client, cached; the built-in catalog when that listing is unavailable. Never throws.
 */
import {
  type BedrockClient,
  ListFoundationModelsCommand,
  ListInferenceProfilesCommand,
} from "@aws-sdk/client-bedrock";
import { cached } from "../../cache.ts";
import type { ModelInfo } from "../../formats/openai/schema.ts";
import type { Logger } from "../../logger.ts";
import { BEDROCK_CATALOG } from "./capabilities.ts";
import { mapBedrockError } from "./errors.ts";

/** The part of the control-plane client the lister uses. */
export type BedrockControlClient = Pick<BedrockClient, "send">;

/** Dependencies of the Bedrock model lister. */
export interface BedrockModelsOptions {
  /** The control-plane client, or undefined to serve the catalog only. */
  client: BedrockControlClient | undefined;
  logger: Logger;
  /** The instance id, the entries' `owned_by`; default `bedrock`. */
  owner?: string;
  /** How long a listing is reused; default 10 minutes. */
  ttlMs?: number;
  /** Clock for the cache. */
  now?: () => number;
}

/** Inference profile pages read at most (100 profiles each). */
const MAX_PROFILE_PAGES = 10;

const entry = (id: string, created = 0, owner = "bedrock"): ModelInfo => ({
  id,
  object: "model",
  created,
  owned_by: owner,
});

/** The built-in catalog as model entries, owned by instance `owner`. */
export function catalogModels(owner = "bedrock"): ModelInfo[] {
  return BEDROCK_CATALOG.map((id) => entry(id, 0, owner));
}

async function listFoundationModels(
  client: BedrockControlClient,
  owner: string,
): Promise<ModelInfo[]> {
  const response = await client.send(
    new ListFoundationModelsCommand({ byOutputModality: "TEXT", byInferenceType: "ON_DEMAND" }),
  );
  return (response.modelSummaries ?? [])
    .filter((m) =>
      m.modelId !== undefined &&
      m.responseStreamingSupported !== false &&
      (m.inputModalities ?? ["TEXT"]).includes("TEXT") &&
      (m.outputModalities ?? ["TEXT"]).includes("TEXT") &&
      (m.modelLifecycle?.status ?? "ACTIVE") === "ACTIVE"
    )
    .map((m) => entry(m.modelId as string, 0, owner));
}

async function listInferenceProfiles(
  client: BedrockControlClient,
  owner: string,
): Promise<ModelInfo[]> {
  const models: ModelInfo[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PROFILE_PAGES; page++) {
    const response = await client.send(
      new ListInferenceProfilesCommand({ maxResults: 100, nextToken }),
    );
    for (const p of response.inferenceProfileSummaries ?? []) {
      if (p.status !== undefined && p.status !== "ACTIVE") continue;
      // System profiles are called by id (`us.anthropic…`), application profiles by ARN.
      const id = p.type === "APPLICATION" ? p.inferenceProfileArn : p.inferenceProfileId;
      if (id === undefined) continue;
      const created = p.createdAt instanceof Date ? Math.floor(p.createdAt.getTime() / 1000) : 0;
      models.push(entry(id, created, owner));
    }
    nextToken = response.nextToken;
    if (nextToken === undefined || nextToken === "") break;
  }
  return models;
}

const REGION_PREFIX = /^(?:us|us-gov|eu|apac|au|ca|jp|global)\./;
const ARN = /^arn:aws(?:-[a-z]+)*:bedrock:[^:]*:[^:]*:([a-z-]+)\/(.+)$/;

/**
 * The entry for a model id a Bedrock chat request may use, from the listed models: the id
 * itself, a system inference profile (`us.…`) of a listed base model, or an ARN (a foundation
 * model or system profile resolves to its base model's entry; any other Bedrock ARN — an
 * application profile, a provisioned or imported model — is taken as given). Undefined when
 * none of these fits. `owner` is the `owned_by` of an ARN taken as given.
 *
 * @example
 * describeBedrockModel("us.anthropic.claude-3-haiku-20240307-v1:0", catalogModels())?.owned_by; // "bedrock"
 */
export function describeBedrockModel(
  id: string,
  listed: ModelInfo[],
  owner = "bedrock",
): ModelInfo | undefined {
  const exact = listed.find((m) => m.id === id);
  if (exact !== undefined) return exact;
  const arn = ARN.exec(id);
  const inner = arn === null ? id : arn[2];
  const base = inner.replace(REGION_PREFIX, "");
  const known = listed.find((m) => m.id === inner) ?? listed.find((m) => m.id === base);
  if (known !== undefined && (arn !== null || base !== id)) return { ...known, id };
  return arn === null ? undefined : entry(id, 0, owner);
}

/**
 * Creates the cached `listModels` of the Bedrock provider.
 *
 * @example
 * const list = createBedrockModelLister({ client: undefined, logger });
 * (await list())[0].owned_by; // "bedrock"
 */
export function createBedrockModelLister(
  options: BedrockModelsOptions,
): () => Promise<ModelInfo[]> {
  const { client, logger } = options;
  const owner = options.owner ?? "bedrock";
  return cached(
    async () => {
      if (client === undefined) return catalogModels(owner);
      try {
        const [foundation, profiles] = await Promise.all([
          listFoundationModels(client, owner),
          listInferenceProfiles(client, owner),
        ]);
        const seen = new Set<string>();
        const models = [...foundation, ...profiles].filter((m) =>
          !seen.has(m.id) && seen.add(m.id)
        );
        return models.length > 0 ? models : catalogModels(owner);
      } catch (error) {
        logger.warn("bedrock model list unavailable; using the built-in catalog", {
          provider: owner,
          error: mapBedrockError(error).message,
        });
        return catalogModels(owner);
      }
    },
    options.ttlMs ?? 10 * 60_000,
    options.now,
  );
}
