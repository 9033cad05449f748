/**
 * Media of OpenAI content parts → Converse image and document blocks: `data:` URLs decoded,
 * `s3://` URIs by reference, http(s) URLs looked up in the media the provider fetched beforehand.
 */
import { GatewayError } from "../errors.ts";
import type { ChatRequest } from "../formats/openai.ts";
import type {
  ConverseDocumentBlock,
  ConverseDocumentFormat,
  ConverseImageBlock,
  ConverseImageFormat,
} from "../formats/converse.ts";

/** An image fetched by the provider: its bytes and detected format. */
export interface FetchedImage {
  bytes: Uint8Array;
  format: ConverseImageFormat;
}

/** Remote images the provider fetched, keyed by the URL as it appears in the request. */
export type ResolvedMedia = ReadonlyMap<string, FetchedImage>;

const IMAGE_MIME: Record<string, ConverseImageFormat> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/jpg": "jpeg",
  "image/pjpeg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp",
};

const DOCUMENT_MIME: Record<string, ConverseDocumentFormat> = {
  "application/pdf": "pdf",
  "text/csv": "csv",
  "application/msword": "doc",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/vnd.ms-excel": "xls",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
  "text/html": "html",
  "text/plain": "txt",
  "text/markdown": "md",
};

const DOCUMENT_EXTENSIONS: Record<string, ConverseDocumentFormat> = {
  pdf: "pdf",
  csv: "csv",
  doc: "doc",
  docx: "docx",
  xls: "xls",
  xlsx: "xlsx",
  html: "html",
  htm: "html",
  txt: "txt",
  md: "md",
  markdown: "md",
};

/**
 * The Converse image format of a MIME type (parameters ignored), or undefined.
 *
 * @example
 * imageFormatFromMime("image/jpeg; charset=binary"); // "jpeg"
 */
export function imageFormatFromMime(mime: string): ConverseImageFormat | undefined {
  return IMAGE_MIME[mime.split(";")[0].trim().toLowerCase()];
}

/**
 * The image format from the first bytes (magic numbers), or undefined.
 *
 * @example
 * sniffImageFormat(new Uint8Array([0x89, 0x50, 0x4e, 0x47])); // "png"
 */
export function sniffImageFormat(bytes: Uint8Array): ConverseImageFormat | undefined {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return "png";
  if (starts(0xff, 0xd8, 0xff)) return "jpeg";
  if (starts(0x47, 0x49, 0x46, 0x38)) return "gif";
  if (starts(0x52, 0x49, 0x46, 0x46) && bytes[8] === 0x57 && bytes[9] === 0x45) return "webp";
  return undefined;
}

/**
 * The http(s) image URLs of a request that the provider must fetch (guarded) before translating.
 *
 * @example
 * collectMediaUrls({ model: "m", messages: [{ role: "user", content: [
 *   { type: "image_url", image_url: { url: "https://example.com/a.png" } }] }] });
 * // ["https://example.com/a.png"]
 */
export function collectMediaUrls(request: ChatRequest): string[] {
  const urls = new Set<string>();
  for (const message of request.messages) {
    if (message.role !== "user" || typeof message.content === "string") continue;
    for (const part of message.content) {
      if (part.type === "image_url" && /^https?:\/\//i.test(part.image_url.url)) {
        urls.add(part.image_url.url);
      }
    }
  }
  return [...urls];
}

interface DataUrl {
  mime: string;
  bytes: Uint8Array;
}

function decodeBase64(data: string): Uint8Array | undefined {
  const clean = data.replace(/\s+/g, "").replace(/-/g, "+").replace(/_/g, "/");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return undefined;
  try {
    const binary = atob(clean);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return undefined;
  }
}

/** Parses `data:<mime>;base64,<data>`; undefined when malformed or not base64. */
function parseDataUrl(url: string): DataUrl | undefined {
  const match = /^data:([^;,]*)((?:;[^;,]*)*);base64,(.*)$/is.exec(url);
  if (!match) return undefined;
  const bytes = decodeBase64(match[3]);
  return bytes === undefined ? undefined : { mime: match[1].trim().toLowerCase(), bytes };
}

/**
 * Encodes bytes as base64 (for redacted reasoning carried in OpenAI-shaped messages).
 *
 * @example
 * encodeBase64(new Uint8Array([104, 105])); // "aGk="
 */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * Decodes base64 (standard or URL-safe), throwing a 400 naming `param` when invalid.
 *
 * @example
 * decodeBase64OrThrow("aGk=", "x"); // Uint8Array [104, 105]
 */
export function decodeBase64OrThrow(data: string, param: string): Uint8Array {
  const bytes = decodeBase64(data);
  if (bytes === undefined) throw invalid(`${param} is not valid base64.`, param);
  return bytes;
}

const invalid = (message: string, param: string) =>
  new GatewayError("invalid_request", message, { param });

/**
 * An `image_url` part → a Converse image block. `param` names the part in errors, e.g.
 * `messages[1].content[0].image_url`.
 *
 * @example
 * imageBlock("s3://bucket/cat.png", new Map(), "messages[0].content[0].image_url");
 * // { format: "png", source: { s3Location: { uri: "s3://bucket/cat.png" } } }
 */
export function imageBlock(
  url: string,
  resolved: ResolvedMedia,
  param: string,
): ConverseImageBlock {
  if (/^data:/i.test(url)) {
    const data = parseDataUrl(url);
    if (data === undefined) throw invalid(`${param} is not a valid base64 data URL.`, param);
    const format = imageFormatFromMime(data.mime) ?? sniffImageFormat(data.bytes);
    if (format === undefined) {
      throw invalid(
        `${param} has unsupported image type '${data.mime}'; use png, jpeg, gif or webp.`,
        param,
      );
    }
    return { format, source: { bytes: data.bytes } };
  }
  if (/^s3:\/\//i.test(url)) {
    const ext = /\.([a-z0-9]+)$/i.exec(url.split("?")[0])?.[1]?.toLowerCase();
    const format = ext === undefined ? undefined : imageFormatFromMime(`image/${ext}`);
    if (format === undefined) {
      throw invalid(
        `${param}: the S3 object must end in .png, .jpg, .jpeg, .gif or .webp.`,
        param,
      );
    }
    return { format, source: { s3Location: { uri: url } } };
  }
  if (/^https?:\/\//i.test(url)) {
    const fetched = resolved.get(url);
    if (fetched === undefined) throw invalid(`${param}: the image could not be fetched.`, param);
    return { format: fetched.format, source: { bytes: fetched.bytes } };
  }
  throw invalid(`${param} must be a data:, http(s):// or s3:// URL.`, param);
}

/** Makes a file name valid for Converse: alphanumerics, single spaces, `-`, `()`, `[]`. */
export function documentName(filename: string | undefined): string {
  const stem = (filename ?? "").replace(/\.[A-Za-z0-9]{1,8}$/, "");
  const name = stem.replace(/[^A-Za-z0-9\s\-()[\]]/g, "-").replace(/\s+/g, " ").trim();
  return name === "" ? "document" : name.slice(0, 200);
}

/**
 * A `file` part with inline `file_data` → a Converse document block (PDF and the other
 * formats Converse reads). `file_id` references are a 400: send the bytes, or use `file_ids`.
 *
 * @example
 * documentBlock({ file_data: "data:application/pdf;base64,JVBERg==", filename: "a.pdf" }, "p");
 * // { format: "pdf", name: "a", source: { bytes: Uint8Array(4) } }
 */
export function documentBlock(
  file: { file_data?: string; file_id?: string; filename?: string },
  param: string,
): ConverseDocumentBlock {
  if (file.file_data === undefined) {
    throw invalid(
      `${param}.file_id is not supported for Bedrock models; send file_data, or use file_ids.`,
      `${param}.file_id`,
    );
  }
  const dataParam = `${param}.file_data`;
  const ext = /\.([A-Za-z0-9]+)$/.exec(file.filename ?? "")?.[1]?.toLowerCase();
  let bytes: Uint8Array;
  let format: ConverseDocumentFormat | undefined;
  if (/^data:/i.test(file.file_data)) {
    const data = parseDataUrl(file.file_data);
    if (data === undefined) {
      throw invalid(`${dataParam} is not a valid base64 data URL.`, dataParam);
    }
    bytes = data.bytes;
    format = DOCUMENT_MIME[data.mime] ??
      (ext === undefined ? undefined : DOCUMENT_EXTENSIONS[ext]);
  } else {
    bytes = decodeBase64OrThrow(file.file_data, dataParam);
    format = ext === undefined ? "pdf" : DOCUMENT_EXTENSIONS[ext];
  }
  if (format === undefined) {
    throw invalid(
      `${dataParam} has an unsupported document type; use PDF, CSV, DOC(X), XLS(X), HTML, TXT or MD.`,
      dataParam,
    );
  }
  return { format, name: documentName(file.filename), source: { bytes } };
}
