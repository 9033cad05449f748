/**
 * Bedrock Titan Text format: `inputText` and `textGenerationConfig`, plus the gateway fields
 * `model`, `stream` and `file_ids`; the response and stream chunk types Titan sends back.
 */
import { z } from "zod";
import { modelIdSchema } from "../model_id.ts";

/** `textGenerationConfig` */
export const titanGenerationConfigSchema = z.looseObject({
  maxTokenCount: z.int().min(1).optional(),
  temperature: z.number().min(0).max(1).optional(),
  topP: z.number().min(0).max(1).optional(),
  stopSequences: z.array(z.string()).optional(),
});

/** The Titan Text request (InvokeModel body) plus the gateway fields. */
export const titanRequestSchema = z.looseObject({
  model: modelIdSchema,
  stream: z.boolean().nullish(),
  file_ids: z.array(z.string()).optional(),
  inputText: z.string({ error: "must be a string" }),
  textGenerationConfig: titanGenerationConfigSchema.optional(),
});

/** A validated Titan request. */
export type TitanRequest = z.infer<typeof titanRequestSchema>;
/** `textGenerationConfig` value. */
export type TitanGenerationConfig = z.infer<typeof titanGenerationConfigSchema>;

/** Why Titan stopped (the three values the gateway emits; upstream may send others). */
export type TitanCompletionReason = "FINISH" | "LENGTH" | "CONTENT_FILTERED";

/** One result of a Titan response. */
export interface TitanResult {
  tokenCount: number;
  outputText: string;
  completionReason: TitanCompletionReason;
}

/** The Titan InvokeModel response. */
export interface TitanResponse {
  inputTextTokenCount: number;
  results: TitanResult[];
}

/** One InvokeModelWithResponseStream chunk; the last carries `completionReason` and counts. */
export interface TitanStreamChunk {
  outputText: string;
  index: number;
  totalOutputTextTokenCount: number | null;
  completionReason: TitanCompletionReason | null;
  inputTextTokenCount: number | null;
  /** Bedrock adds this to the last chunk. */
  "amazon-bedrock-invocationMetrics"?: {
    inputTokenCount?: number;
    outputTokenCount?: number;
    [k: string]: unknown;
  };
}
