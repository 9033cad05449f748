/**
 * Which extractor a file gets: the declared MIME type (parameters such as `charset` ignored),
 * then the file name's extension, then content sniffing (`file-type` for binary formats, then a
 * look at the leading text). A text type the content contradicts — bytes that are a known binary
 * format — is overruled by the sniffed type, so a client's word alone never decides.
 */
import { fileTypeFromBuffer } from "file-type";

/** The extractable kinds, plus `unsupported`. */
export type FileKind = "text" | "csv" | "tsv" | "json" | "html" | "xml" | "pdf" | "unsupported";

const MIME_KINDS: Record<string, FileKind> = {
  "text/plain": "text",
  "text/markdown": "text",
  "text/x-markdown": "text",
  "application/x-sh": "text",
  "application/javascript": "text",
  "application/typescript": "text",
  "application/x-python": "text",
  "application/x-yaml": "text",
  "application/yaml": "text",
  "application/toml": "text",
  "application/sql": "text",
  "text/csv": "csv",
  "application/csv": "csv",
  "text/tab-separated-values": "tsv",
  "application/json": "json",
  "text/json": "json",
  "text/html": "html",
  "application/xhtml+xml": "html",
  "application/xml": "xml",
  "text/xml": "xml",
  "image/svg+xml": "xml",
  "application/pdf": "pdf",
};

const TEXT_EXTENSIONS = (
  "txt md markdown rst log text py js mjs cjs ts tsx jsx go rs java kt kts swift scala c h cc " +
  "cpp hpp cs rb php pl sh bash zsh ps1 r lua sql yaml yml toml ini cfg conf env css scss less " +
  "vue svelte dart ex exs erl hs ml clj tex bib diff patch dockerfile makefile gradle properties"
).split(" ");

const EXTENSION_KINDS: Record<string, FileKind> = {
  ...Object.fromEntries(TEXT_EXTENSIONS.map((e) => [e, "text" as FileKind])),
  csv: "csv",
  tsv: "tsv",
  json: "json",
  html: "html",
  htm: "html",
  xhtml: "html",
  xml: "xml",
  svg: "xml",
  xsd: "xml",
  rss: "xml",
  pdf: "pdf",
};

const TEXT_KINDS = new Set<FileKind>(["text", "csv", "tsv", "json", "html", "xml"]);

/** The kind a MIME type names (`undefined` when it names none we extract). */
export function kindOfMime(contentType: string): FileKind | undefined {
  const mime = contentType.split(";")[0].trim().toLowerCase();
  if (mime === "" || mime === "application/octet-stream") return undefined;
  const known = MIME_KINDS[mime];
  if (known !== undefined) return known;
  if (mime.endsWith("+json")) return "json";
  if (mime.endsWith("+xml")) return "xml";
  if (mime.startsWith("text/")) return "text";
  return undefined;
}

/** The kind a file name's extension names (`undefined` when none). */
export function kindOfFilename(filename: string): FileKind | undefined {
  const base = filename.split(/[\\/]/).pop()!.toLowerCase();
  const dot = base.lastIndexOf(".");
  const extension = dot === -1 ? base : base.slice(dot + 1);
  return Object.hasOwn(EXTENSION_KINDS, extension) ? EXTENSION_KINDS[extension] : undefined;
}

/** True when the head of the content looks like text (no NUL, few control characters). */
function looksTextual(head: Uint8Array): boolean {
  let control = 0;
  for (const b of head) {
    if (b === 0) return false;
    if (b < 9 || (b > 13 && b < 32)) control++;
  }
  return control <= head.length / 100;
}

/** The kind of textual content from its first characters. */
function sniffText(head: Uint8Array): FileKind {
  const start = new TextDecoder().decode(head).replace(/^\uFEFF/, "").trimStart().slice(0, 256)
    .toLowerCase();
  if (start.startsWith("<?xml")) return "xml";
  if (start.startsWith("<!doctype html") || start.startsWith("<html")) return "html";
  if (start.startsWith("{") || start.startsWith("[")) return "json";
  return "text";
}

/**
 * The extractor kind of a stored file.
 *
 * @example
 * await detectKind({ contentType: "text/csv; charset=utf-8", filename: "x.bin" }, bytes); // "csv"
 */
export async function detectKind(
  file: { contentType: string; filename: string },
  bytes: Uint8Array,
): Promise<FileKind> {
  const claimed = kindOfMime(file.contentType) ?? kindOfFilename(file.filename);
  const head = bytes.subarray(0, 8192);
  const sniffed = await fileTypeFromBuffer(bytes.subarray(0, 65536)).catch(() => undefined);
  const sniffedKind = sniffed === undefined ? undefined : kindOfMime(sniffed.mime) ?? "unsupported";
  if (claimed !== undefined) {
    // A text type contradicted by a recognised binary format: trust the bytes.
    if (TEXT_KINDS.has(claimed) && sniffedKind !== undefined && !TEXT_KINDS.has(sniffedKind)) {
      return sniffedKind;
    }
    if (TEXT_KINDS.has(claimed) && !looksTextual(head)) return "unsupported";
    return claimed;
  }
  if (sniffedKind !== undefined) return sniffedKind;
  return looksTextual(head) ? sniffText(head) : "unsupported";
}
