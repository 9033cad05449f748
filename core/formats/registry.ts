/**
 * The formats the gateway speaks, one codec each, in detection order (SPEC §3.1): a body with
 * `anthropic_version` is bedrock_claude, one with `inputText` bedrock_titan, anything else openai
 * (an OpenAI body with `max_tokens` and an object `tool_choice` stays openai). Detection,
 * validation, translation, framing and error envelopes all look a format up here.
 */
import { GatewayError } from "../errors.ts";
import { claudeCodec } from "./bedrock_claude/codec.ts";
import { titanCodec } from "./bedrock_titan/codec.ts";
import type { FormatCodec, RoutedRequest } from "./codec.ts";
import { openaiCodec } from "./openai/codec.ts";
import { responsesCodec } from "./openai_responses/codec.ts";
import { parseWith } from "./validate.ts";

/** Every codec by name; the fallback format (no marker) is listed first. */
export const CODECS = {
  openai: openaiCodec,
  bedrock_claude: claudeCodec,
  bedrock_titan: titanCodec,
  openai_responses: responsesCodec,
} as const;

/** The name of a format the gateway speaks. */
export type FormatName = keyof typeof CODECS;

/** The format names, in registry order. */
export const FORMATS = Object.keys(CODECS) as [FormatName, ...FormatName[]];

/** The validated request type of a format. */
export type RequestOf<F extends FormatName> = typeof CODECS[F] extends FormatCodec<infer R> ? R
  : never;

/** A validated request tagged with its format. */
export type AnyRequest = { [F in FormatName]: { format: F; request: RequestOf<F> } }[FormatName];

const ALL: readonly FormatCodec<RoutedRequest>[] = Object.values(CODECS) as FormatCodec<
  RoutedRequest
>[];
const MARKED = ALL.filter((codec) => codec.marker !== undefined);
const FALLBACK = ALL.find((codec) =>
  codec.marker === undefined && codec.routeOnly !== true
) as FormatCodec<RoutedRequest>;

/**
 * The codec of a format.
 *
 * @example
 * codecOf("bedrock_claude").sse.errorEvent; // "error"
 */
export function codecOf(format: FormatName): FormatCodec<RoutedRequest> {
  return CODECS[format] as unknown as FormatCodec<RoutedRequest>;
}

/**
 * True when `value` names a format.
 *
 * @example
 * isFormatName("bedrock_titan"); // true
 */
export function isFormatName(value: unknown): value is FormatName {
  return typeof value === "string" && Object.hasOwn(CODECS, value);
}

const isObject = (body: unknown): body is Record<string, unknown> =>
  typeof body === "object" && body !== null && !Array.isArray(body);

const has = (body: Record<string, unknown>, key: string) =>
  Object.hasOwn(body, key) && body[key] !== undefined;

/**
 * The format of a request body, from its marker fields only (no validation). Anything that is
 * not an object is reported as the fallback format (and fails its validation).
 *
 * @example
 * detectFormat({ anthropic_version: "bedrock-2023-05-31", max_tokens: 10, messages: [] }); // "bedrock_claude"
 * detectFormat({ inputText: "Hi" }); // "bedrock_titan"
 * detectFormat({ model: "gpt-4o", max_tokens: 5, tool_choice: { type: "function" } }); // "openai"
 */
export function detectFormat(body: unknown): FormatName {
  const found = isObject(body)
    ? MARKED.find((codec) => has(body, codec.marker as string))
    : undefined;
  return (found ?? FALLBACK).name as FormatName;
}

const TRIED = [
  FALLBACK.name,
  ...MARKED.map((codec) => `${codec.name} (recognised by ${codec.marker})`),
].join(", ").replace(/, ([^,]*)$/, " and $1");

/**
 * Detects the format and validates the body with that format's schema. Errors are 400s whose
 * `param` names the field in the caller's format. A body with a `messages` array and no other
 * format's marker is plainly the fallback (OpenAI) and gets its error alone. A non-object body,
 * and any other body without a marker that is not a valid fallback request, fit no format: the
 * message lists the formats tried (and, for the latter, the field at fault) — except a body that
 * {@link FormatCodec.resembles} a format, which is reported in that format's terms.
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
  const codec = codecOf(format);
  if (codec !== FALLBACK) {
    return {
      format,
      request: withFormat(format, () => parseWith(codec.schema, body)),
    } as AnyRequest;
  }
  try {
    return { format, request: parseWith(codec.schema, body) } as AnyRequest;
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    for (const other of MARKED) {
      if (other.resembles?.(body)) {
        withFormat(other.name as FormatName, () => parseWith(other.schema, body));
      }
    }
    if (Array.isArray(body.messages)) throw error;
    throw new GatewayError(
      "invalid_request",
      `The request body fits none of the formats ${TRIED}. As ${format}: ${error.message}`,
      { code: error.code, param: error.param },
    );
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
