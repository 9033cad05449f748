/**
 * Which of the three request formats a body is (SPEC §3.1), and validation with that format's
 * schema: `anthropic_version` present → bedrock_claude; `inputText` present → bedrock_titan;
 * otherwise openai (an OpenAI body with `max_tokens` and an object `tool_choice` stays openai).
 */
import { GatewayError } from "../errors.ts";
import { type ClaudeRequest, claudeRequestSchema } from "./bedrock_claude/schema.ts";
import { type TitanRequest, titanRequestSchema } from "./bedrock_titan/schema.ts";
import { type ChatRequest, chatRequestSchema } from "./openai/schema.ts";
import { parseWith } from "./validate.ts";

/** The request/response formats the gateway speaks, in detection order. */
export const FORMATS = ["openai", "bedrock_claude", "bedrock_titan"] as const;

/** One of {@link FORMATS}. */
export type FormatName = typeof FORMATS[number];

/** A validated request tagged with its format. */
export type AnyRequest =
  | { format: "openai"; request: ChatRequest }
  | { format: "bedrock_claude"; request: ClaudeRequest }
  | { format: "bedrock_titan"; request: TitanRequest };

const isObject = (body: unknown): body is Record<string, unknown> =>
  typeof body === "object" && body !== null && !Array.isArray(body);

const has = (body: Record<string, unknown>, key: string) =>
  Object.hasOwn(body, key) && body[key] !== undefined;

/**
 * True when `value` names a format.
 *
 * @example
 * isFormatName("bedrock_titan"); // true
 */
export function isFormatName(value: unknown): value is FormatName {
  return typeof value === "string" && (FORMATS as readonly string[]).includes(value);
}

/**
 * The format of a request body, from its marker fields only (no validation). Anything that is
 * not an object is reported as `openai` (and fails its validation).
 *
 * @example
 * detectFormat({ anthropic_version: "bedrock-2023-05-31", max_tokens: 10, messages: [] }); // "bedrock_claude"
 * detectFormat({ inputText: "Hi" }); // "bedrock_titan"
 * detectFormat({ model: "gpt-4o", max_tokens: 5, tool_choice: { type: "function" } }); // "openai"
 */
export function detectFormat(body: unknown): FormatName {
  if (!isObject(body)) return "openai";
  if (has(body, "anthropic_version")) return "bedrock_claude";
  if (has(body, "inputText")) return "bedrock_titan";
  return "openai";
}

const TRIED = "openai, bedrock_claude (recognised by anthropic_version) and bedrock_titan " +
  "(recognised by inputText)";

/**
 * Detects the format and validates the body with that format's schema. Errors are 400s whose
 * `param` names the field in the caller's format. A body with a `messages` array and no other
 * format's marker is plainly OpenAI and gets OpenAI's error alone. A non-object body, and any
 * other body without a format marker that is not a valid OpenAI request, fit no format: the
 * message lists the formats tried (and, for the latter, the OpenAI field at fault) — except a
 * body with `textGenerationConfig` and no `messages`, which is reported as a Titan body (e.g.
 * `inputText` missing).
 *
 * @example
 * parseAnyRequest({ model: "m", inputText: "Hi" }); // { format: "bedrock_titan", request: {...} }
 * parseAnyRequest([1]); // throws 400 "…fits none of the formats openai, bedrock_claude…"
 */
export function parseAnyRequest(body: unknown): AnyRequest {
  if (!isObject(body)) {
    throw new GatewayError(
      "invalid_request",
      `The request body must be a JSON object; it fits none of the formats ${TRIED}.`,
      { code: "invalid_request_body" },
    );
  }
  const format = detectFormat(body);
  switch (format) {
    case "bedrock_claude":
      return { format, request: withFormat(format, () => parseWith(claudeRequestSchema, body)) };
    case "bedrock_titan":
      return { format, request: withFormat(format, () => parseWith(titanRequestSchema, body)) };
    case "openai":
      try {
        return { format, request: parseWith(chatRequestSchema, body) };
      } catch (error) {
        if (!(error instanceof GatewayError)) throw error;
        // A Titan body that lost its inputText: report it in Titan terms (param `inputText`).
        if (has(body, "textGenerationConfig") && !has(body, "messages")) {
          withFormat("bedrock_titan", () => parseWith(titanRequestSchema, body));
        }
        // A `messages` array and no other format's marker: plainly an OpenAI body.
        if (Array.isArray(body.messages)) throw error;
        throw new GatewayError(
          "invalid_request",
          `The request body fits none of the formats ${TRIED}. As openai: ${error.message}`,
          { code: error.code, param: error.param },
        );
      }
    default: {
      const unhandled: never = format;
      return unhandled;
    }
  }
}

/** Runs a validation, prefixing its error message with the format name. */
function withFormat<T>(format: FormatName, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    throw new GatewayError("invalid_request", `Invalid ${format} request. ${error.message}`, {
      code: error.code,
      param: error.param,
    });
  }
}
