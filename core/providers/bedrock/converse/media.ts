/**
 * Media of OpenAI content parts → Converse image and document blocks: `data:` URLs decoded,
 * `s3://` URIs by reference, http(s) URLs (an `image_url`, or a `file` part's gateway extension
 * `file.file_url`) looked up in the media the provider fetched beforehand; the fetched bytes are
 * judged here (image or document format), so fetching stays out of the converters.
 */
import { GatewayError } from "../../../errors.ts";
import { decodeBase64, decodeBase64OrThrow } from "../../../text/base64.ts";
import type { ChatRequest } from "../../../formats/openai/schema.ts";
import type {
  ConverseDocumentBlock,
  ConverseDocumentFormat,
  ConverseImageBlock,
  ConverseImageFormat,
} from "./wire.ts";

/** A remote image or document the provider fetched: its bytes and the declared media type. */
export interface FetchedContent {
  bytes: Uint8Array;
  /** The `content-type` media type the server sent, when it sent one. */
  contentType?: string;
}

/** Remote media the provider fetched, keyed by the URL as it appears in the request. */
export type ResolvedMedia = ReadonlyMap<string, FetchedContent>;

/** The fields of a `file` part's `file` object (`file_url` is a gateway extension). */
export interface FileFields {
  file_data?: string;
  file_id?: string;
  filename?: string;
  file_url?: unknown;
}

const SUPPORTED_DOCUMENTS = "PDF, CSV, DOC(X), XLS(X), HTML, TXT or MD";

const isHttpUrl = (url: string) => /^https?:\/\//i.test(url);

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
 * The URL a `file` part's document is read from: its non-empty `file_url`, unless inline
 * `file_data` is given (which wins, as no fetch is needed).
 *
 * @example
 * fileUrlOf({ file_url: "https://example.com/a.pdf" }); // "https://example.com/a.pdf"
 */
export function fileUrlOf(file: FileFields): string | undefined {
  if (file.file_data !== undefined) return undefined;
  return typeof file.file_url === "string" && file.file_url !== "" ? file.file_url : undefined;
}

/**
 * The http(s) URLs of a request's images and documents (`file.file_url`) that the provider must
 * fetch (guarded) before translating, each once.
 *
 * @example
 * collectMediaUrls({ model: "m", messages: [{ role: "user", content: [
 *   { type: "image_url", image_url: { url: "https://example.com/a.png" } },
 *   { type: "file", file: { file_url: "https://example.com/b.pdf" } }] }] });
 * // ["https://example.com/a.png", "https://example.com/b.pdf"]
 */
export function collectMediaUrls(request: ChatRequest): string[] {
  const urls = new Set<string>();
  for (const message of request.messages) {
    if (message.role !== "user" || typeof message.content === "string") continue;
    for (const part of message.content) {
      const url = part.type === "image_url"
        ? part.image_url.url
        : part.type === "file"
        ? fileUrlOf(part.file)
        : undefined;
      if (url !== undefined && isHttpUrl(url)) urls.add(url);
    }
  }
  return [...urls];
}

interface DataUrl {
  mime: string;
  bytes: Uint8Array;
}

/** Parses `data:<mime>;base64,<data>`; undefined when malformed or not base64. */
function parseDataUrl(url: string): DataUrl | undefined {
  const match = /^data:([^;,]*)((?:;[^;,]*)*);base64,(.*)$/is.exec(url);
  if (!match) return undefined;
  const bytes = decodeBase64(match[3]);
  return bytes === undefined ? undefined : { mime: match[1].trim().toLowerCase(), bytes };
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
  if (isHttpUrl(url)) {
    const fetched = resolved.get(url);
    if (fetched === undefined) throw invalid(`${param}: the image could not be fetched.`, param);
    const format = sniffImageFormat(fetched.bytes) ??
      (fetched.contentType === undefined ? undefined : imageFormatFromMime(fetched.contentType));
    if (format === undefined) {
      throw new GatewayError(
        "invalid_request",
        `The URL at ${param} is not a png, jpeg, gif or webp image.`,
        { code: "invalid_image_url", param },
      );
    }
    return { format, source: { bytes: fetched.bytes } };
  }
  throw invalid(`${param} must be a data:, http(s):// or s3:// URL.`, param);
}

/** Makes a file name valid for Converse: alphanumerics, single spaces, `-`, `()`, `[]`. */
export function documentName(filename: string | undefined): string {
  const stem = (filename ?? "").replace(/\.[A-Za-z0-9]{1,8}$/, "");
  const name = stem.replace(/[^A-Za-z0-9\s\-()[\]]/g, "-").replace(/\s+/g, " ").trim();
  return name === "" ? "document" : name.slice(0, 200);
}

/** The lower-cased extension of a file name or URL path, if any. */
const extensionOf = (name: string | undefined) =>
  /\.([A-Za-z0-9]+)$/.exec(name ?? "")?.[1]?.toLowerCase();

/** The document format an extension names, if any. */
const documentFormatOf = (ext: string | undefined): ConverseDocumentFormat | undefined =>
  ext === undefined ? undefined : DOCUMENT_EXTENSIONS[ext];

const documentFormatFromMime = (mime: string): ConverseDocumentFormat | undefined =>
  DOCUMENT_MIME[mime.split(";")[0].trim().toLowerCase()];

/** The path of an http(s) URL without query and fragment, e.g. `/docs/a.pdf`. */
const urlPath = (url: string) => url.split(/[?#]/)[0].replace(/^https?:\/\/[^/]*/i, "");

/** The last path segment of a URL, percent-decoded when possible (a default document name). */
function urlBasename(url: string): string | undefined {
  const segment = urlPath(url).split("/").pop() ?? "";
  if (segment === "") return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** `file_data` (a data URL, or raw base64 read as PDF unless the filename says otherwise). */
function inlineDocument(
  fileData: string,
  filename: string | undefined,
  param: string,
): ConverseDocumentBlock {
  const dataParam = `${param}.file_data`;
  const ext = extensionOf(filename);
  let bytes: Uint8Array;
  let format: ConverseDocumentFormat | undefined;
  if (/^data:/i.test(fileData)) {
    const data = parseDataUrl(fileData);
    if (data === undefined) {
      throw invalid(`${dataParam} is not a valid base64 data URL.`, dataParam);
    }
    bytes = data.bytes;
    format = DOCUMENT_MIME[data.mime] ?? documentFormatOf(ext);
  } else {
    bytes = decodeBase64OrThrow(fileData, dataParam);
    format = ext === undefined ? "pdf" : documentFormatOf(ext);
  }
  if (format === undefined) {
    throw invalid(
      `${dataParam} has an unsupported document type; use ${SUPPORTED_DOCUMENTS}.`,
      dataParam,
    );
  }
  return { format, name: documentName(filename), source: { bytes } };
}

/**
 * A `file_url` document the provider fetched: the format from the response's content type, else
 * the URL's or the filename's extension, else PDF bytes (`%PDF-`); anything else is a 400.
 */
function fetchedDocument(
  url: string,
  filename: string | undefined,
  resolved: ResolvedMedia,
  param: string,
): ConverseDocumentBlock {
  if (!isHttpUrl(url)) {
    throw invalid(`${param}.file_url must be an http(s) URL.`, `${param}.file_url`);
  }
  const fetched = resolved.get(url);
  if (fetched === undefined) throw invalid(`${param}: the document could not be fetched.`, param);
  const isPdf = new TextDecoder().decode(fetched.bytes.subarray(0, 5)) === "%PDF-";
  const format =
    (fetched.contentType === undefined ? undefined : documentFormatFromMime(fetched.contentType)) ??
      documentFormatOf(extensionOf(urlPath(url))) ??
      documentFormatOf(extensionOf(filename)) ??
      (isPdf ? "pdf" : undefined);
  if (format === undefined) {
    const type = fetched.contentType === undefined ? "" : ` (${fetched.contentType})`;
    throw invalid(
      `The document at ${param}${type} is not a supported type; use ${SUPPORTED_DOCUMENTS}.`,
      param,
    );
  }
  return {
    format,
    name: documentName(filename ?? urlBasename(url)),
    source: { bytes: fetched.bytes },
  };
}

/**
 * A `file` part → a Converse document block (PDF and the other formats Converse reads): inline
 * `file_data`, or an http(s) `file_url` (gateway extension) read from the media the provider
 * fetched. `file_id` references are a 400 (send the bytes, or use `file_ids`), as is a part
 * with none of the three. `param` names the part, e.g. `messages[0].content[1].file`.
 *
 * @example
 * documentBlock({ file_data: "data:application/pdf;base64,JVBERg==", filename: "a.pdf" }, new Map(), "p");
 * // { format: "pdf", name: "a", source: { bytes: Uint8Array(4) } }
 */
export function documentBlock(
  file: FileFields,
  resolved: ResolvedMedia,
  param: string,
): ConverseDocumentBlock {
  if (file.file_data !== undefined) return inlineDocument(file.file_data, file.filename, param);
  const url = fileUrlOf(file);
  if (url !== undefined) return fetchedDocument(url, file.filename, resolved, param);
  if (file.file_id !== undefined) {
    throw invalid(
      `${param}.file_id is not supported for Bedrock models; send file_data, or use file_ids.`,
      `${param}.file_id`,
    );
  }
  throw invalid(
    `${param} has no document: send file_data (base64 or a data: URL) or an http(s) file_url.`,
    param,
  );
}
