/**
 * Claude media blocks ⇄ OpenAI content parts: images ⇄ `image_url` (base64 sources as data URLs,
 * url sources as the URL), documents ⇄ `file` parts (`file_data` data URLs; url sources as the
 * gateway extension `file.file_url`). `cache_control`, a document's `title` (as `filename`),
 * `context` and `citations` travel as fields of the part.
 */
import { GatewayError } from "../../errors.ts";
import type { ClaudeDocumentBlock, ClaudeImageBlock } from "./schema.ts";
import type { CacheControl, UserContentPart } from "../openai/schema.ts";
import { decodeBase64OrThrow, encodeBase64 } from "../../text/base64.ts";

type ImagePart = Extract<UserContentPart, { type: "image_url" }>;
type FilePart = Extract<UserContentPart, { type: "file" }>;

const given = <T>(value: T | null | undefined): value is T => value !== undefined && value !== null;

export type { CacheControl };

/**
 * True for an Anthropic prompt-caching marker, `{type: "ephemeral", ttl?}`.
 *
 * @example
 * isCacheControl({ type: "ephemeral" }); // true
 */
export function isCacheControl(value: unknown): value is CacheControl {
  return typeof value === "object" && value !== null && "type" in value &&
    typeof value.type === "string";
}

/**
 * `cache_control` of a block or part (when it is a `{type}` object), as a spreadable object.
 *
 * @example
 * cacheControlOf({ text: "x", cache_control: { type: "ephemeral" } }); // { cache_control: { type: "ephemeral" } }
 */
export function cacheControlOf(item: { readonly [k: string]: unknown }): {
  cache_control?: CacheControl;
} {
  const control = item.cache_control;
  return isCacheControl(control) ? { cache_control: control } : {};
}

/**
 * Splits a base64 data URL into its media type and data (not decoded), or undefined.
 *
 * @example
 * splitDataUrl("data:image/png;base64,iVBO"); // { mediaType: "image/png", data: "iVBO" }
 */
export function splitDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const match = /^data:([^;,]*)(?:;[^;,]*)*;base64,(.*)$/is.exec(url);
  return match === null ? undefined : { mediaType: match[1].trim(), data: match[2] };
}

/**
 * UTF-8 text → base64.
 *
 * @example
 * utf8ToBase64("hi"); // "aGk="
 */
export function utf8ToBase64(text: string): string {
  return encodeBase64(new TextEncoder().encode(text));
}

/**
 * A Claude image block → an `image_url` part.
 *
 * @example
 * imageToPart({ type: "image", source: { type: "base64", media_type: "image/png", data: "iVBO" } });
 * // { type: "image_url", image_url: { url: "data:image/png;base64,iVBO" } }
 */
export function imageToPart(block: ClaudeImageBlock): ImagePart {
  const source = block.source;
  const url = source.type === "base64"
    ? `data:${source.media_type};base64,${source.data}`
    : source.url;
  return { type: "image_url", image_url: { url }, ...cacheControlOf(block) };
}

/**
 * An `image_url` part → a Claude image block; a data URL that is not base64 is a 400 naming
 * `param`.
 *
 * @example
 * partToImage({ type: "image_url", image_url: { url: "https://x/a.png" } }, "p");
 * // { type: "image", source: { type: "url", url: "https://x/a.png" } }
 */
export function partToImage(part: ImagePart, param: string): ClaudeImageBlock {
  const url = part.image_url.url;
  if (/^data:/i.test(url)) {
    const data = splitDataUrl(url);
    if (data === undefined) {
      throw new GatewayError("invalid_request", `${param} is not a base64 data URL.`, { param });
    }
    return {
      type: "image",
      source: { type: "base64", media_type: data.mediaType, data: data.data },
      ...cacheControlOf(part),
    };
  }
  return { type: "image", source: { type: "url", url }, ...cacheControlOf(part) };
}

/** The fields a document keeps on its `file` part besides the file itself. */
function documentExtras(block: ClaudeDocumentBlock): Record<string, unknown> {
  return {
    ...(given(block.context) ? { context: block.context } : {}),
    ...(given(block.citations) ? { citations: block.citations } : {}),
    ...cacheControlOf(block),
  };
}

/**
 * A Claude document block → a `file` part: base64 and text sources as `file_data` data URLs,
 * url sources as `file.file_url`, content sources as their text (text/plain).
 *
 * @example
 * documentToPart({ type: "document", source: { type: "text", media_type: "text/plain", data: "hi" } });
 * // { type: "file", file: { file_data: "data:text/plain;base64,aGk=" } }
 */
export function documentToPart(block: ClaudeDocumentBlock): FilePart {
  const source = block.source;
  const name = given(block.title) ? { filename: block.title } : {};
  let file: FilePart["file"];
  switch (source.type) {
    case "base64":
      file = { file_data: `data:${source.media_type};base64,${source.data}`, ...name };
      break;
    case "text":
      file = {
        file_data: `data:${source.media_type ?? "text/plain"};base64,${utf8ToBase64(source.data)}`,
        ...name,
      };
      break;
    case "url":
      file = { file_url: source.url, ...name };
      break;
    case "content": {
      const text = typeof source.content === "string"
        ? source.content
        : source.content.map((b) => b.text).join("\n");
      file = { file_data: `data:text/plain;base64,${utf8ToBase64(text)}`, ...name };
      break;
    }
    default: {
      const unhandled: never = source;
      return unhandled;
    }
  }
  return { type: "file", file, ...documentExtras(block) };
}

/**
 * A `file` part → a Claude document block: text/plain data becomes a text source, other data a
 * base64 source, `file_url` a url source; `file_id` references are a 400 naming `param`.
 *
 * @example
 * partToDocument({ type: "file", file: { file_data: "data:application/pdf;base64,JVBE" } }, "p");
 * // { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBE" } }
 */
export function partToDocument(part: FilePart, param: string): ClaudeDocumentBlock {
  const file = part.file;
  const extras: Record<string, unknown> = {
    ...(given(file.filename) ? { title: file.filename } : {}),
    ...(given(part.context) ? { context: part.context } : {}),
    ...(given(part.citations) ? { citations: part.citations } : {}),
    ...cacheControlOf(part),
  };
  if (typeof file.file_url === "string" && file.file_url !== "") {
    return { type: "document", source: { type: "url", url: file.file_url }, ...extras };
  }
  if (file.file_data === undefined) {
    throw new GatewayError(
      "invalid_request",
      `${param}.file_id is not supported for Claude; send file_data, or use file_ids.`,
      { param: `${param}.file_id` },
    );
  }
  const data = /^data:/i.test(file.file_data)
    ? splitDataUrl(file.file_data)
    : { mediaType: "application/pdf", data: file.file_data };
  if (data === undefined) {
    const dataParam = `${param}.file_data`;
    throw new GatewayError("invalid_request", `${dataParam} is not a base64 data URL.`, {
      param: dataParam,
    });
  }
  if (data.mediaType.toLowerCase().startsWith("text/plain")) {
    const bytes = decodeBase64OrThrow(data.data, `${param}.file_data`);
    return {
      type: "document",
      source: { type: "text", media_type: "text/plain", data: new TextDecoder().decode(bytes) },
      ...extras,
    };
  }
  return {
    type: "document",
    source: { type: "base64", media_type: data.mediaType, data: data.data },
    ...extras,
  };
}
