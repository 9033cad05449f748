/** Shared helpers for the Converse converter table tests. */
import assert from "node:assert/strict";
import { GatewayError } from "../../core/errors.ts";
import { chatRequestSchema } from "../../core/formats/openai/schema.ts";
import {
  type ConverseInput,
  type ResolvedMedia,
  toConverseRequest,
} from "../../core/providers/bedrock/converse/from_canonical.ts";
import { capabilitiesFor } from "../../core/providers/bedrock/capabilities.ts";

export const CLAUDE4 = "us.anthropic.claude-sonnet-4-20250514-v1:0";
export const CLAUDE45 = "anthropic.claude-sonnet-4-5-20250929-v1:0";
export const CLAUDE46 = "global.anthropic.claude-opus-4-6-v1";
export const NOVA2 = "us.amazon.nova-2-lite-v1:0";
export const NOVA_MICRO = "amazon.nova-micro-v1:0";
export const TITAN = "amazon.titan-text-express-v1";
export const LLAMA = "meta.llama3-3-70b-instruct-v1:0";
export const LLAMA3_70B = "meta.llama3-70b-instruct-v1:0";
export const GPT_OSS = "openai.gpt-oss-120b-1:0";
export const COHERE = "cohere.command-r-plus-v1:0";

/** One request translation row: `expected` lists the output members it checks. */
export interface RequestRow {
  name: string;
  model?: string;
  request: Record<string, unknown>;
  resolved?: ResolvedMedia;
  expected?: Partial<ConverseInput>;
  /** For rows expecting a 400: the `param` it must name. */
  errorParam?: string;
}

/** Validates the request with the canonical schema and translates it for `row.model`. */
export function translate(row: RequestRow): ConverseInput {
  const model = row.model ?? CLAUDE4;
  const request = chatRequestSchema.parse({ model, ...row.request });
  return toConverseRequest(request, capabilitiesFor(model), row.resolved ?? new Map());
}

/** Runs each row as a step. */
export async function runRows(t: Deno.TestContext, rows: RequestRow[]): Promise<void> {
  for (const row of rows) {
    await t.step(row.name, () => {
      if (row.errorParam !== undefined) {
        assert.throws(() => translate(row), (error: unknown) => {
          assert.ok(error instanceof GatewayError, String(error));
          assert.equal(error.kind, "invalid_request");
          assert.equal(error.param, row.errorParam);
          return true;
        });
        return;
      }
      const out = translate(row) as unknown as Record<string, unknown>;
      const expected = row.expected ?? {};
      const picked = Object.fromEntries(Object.keys(expected).map((k) => [k, out[k]]));
      assert.deepStrictEqual(picked, expected);
    });
  }
}

/** `{role:"user", content:"…"}` */
export const user = (content: unknown) => ({ role: "user", content });
/** `{role:"assistant", content:"…"}` plus extra fields. */
export const assistant = (content: unknown, extra: Record<string, unknown> = {}) => ({
  role: "assistant",
  content,
  ...extra,
});
/** An assistant tool call. */
export const call = (id: string, name: string, args: string) => ({
  id,
  type: "function",
  function: { name, arguments: args },
});
/** A tool message. */
export const toolMsg = (id: string, content: unknown) => ({
  role: "tool",
  tool_call_id: id,
  content,
});
/** A function tool definition. */
export const fnTool = (name: string, extra: Record<string, unknown> = {}) => ({
  type: "function",
  function: { name, parameters: { type: "object", properties: {} } },
  ...extra,
});
/** `[{text}]` user turn. */
export const userTurn = (...texts: string[]) => ({
  role: "user" as const,
  content: texts.map((text) => ({ text })),
});
