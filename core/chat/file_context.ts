/**
 * `file_ids` on chat (SPEC §4): every id is checked first (unknown or malformed → 404
 * `file_not_found`, before any upstream call), then each file's extracted text is put in one
 * context block, bounded by `FILES_CONTEXT_MAX_CHARS`, added as a text part at the start of the
 * last user message. The block is built from extracted text and fixed notes only — never from
 * an error message. `file_ids` itself is removed, so no provider ever forwards it.
 *
 * The block (documented in README, "Files"):
 *
 * ```
 * [Attached files: 2. The extracted text of each follows.]
 * <file id="file-…" name="people.csv" type="csv" bytes="101">
 * CSV: 3 rows, 3 columns
 * …
 * </file>
 * <file id="file-…" name="report.pdf" type="pdf" bytes="663">
 * --- page 1 of 1 ---
 * …
 * </file>
 * ```
 *
 * When it is longer than the limit it is cut and ends with the marker line
 * `[truncated: the file context is limited to N characters; the rest is omitted]`.
 */
import { GatewayError } from "../errors.ts";
import { extractFile, type Extractor } from "../files/extract/extract.ts";
import type { FileKind } from "../files/extract/detect.ts";
import { fileNotFound, type FileStore, readAll, type StoredFile } from "../files/store.ts";
import type { ChatMessage, ChatRequest } from "../formats/openai/schema.ts";

/** At most this many distinct files per request. */
export const MAX_FILE_IDS = 20;

/** What the file context needs, injected into the chat service. */
export interface FileContextOptions {
  store: FileStore;
  /** `FILES_CONTEXT_MAX_CHARS`. */
  maxChars: number;
  /** The extractor (default: {@link extractFile}). */
  extract?: Extractor;
}

/** One file's part of the context. */
export interface FileSection {
  file: StoredFile;
  kind: FileKind;
  text: string;
}

const attribute = (value: string) =>
  value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/[\r\n]+/g, " ");

/** The marker line that ends a cut context. */
export function truncationMarker(maxChars: number): string {
  return `[truncated: the file context is limited to ${maxChars} characters; the rest is omitted]`;
}

/**
 * The context block for extracted files, at most `maxChars` characters (unless `maxChars` is
 * shorter than the truncation marker itself).
 *
 * @example
 * buildFileContext([{ file, kind: "text", text: "hello" }], 200_000);
 * // '[Attached files: 1. The extracted text of each follows.]\n<file id="file-…" name="a.txt" type="text" bytes="5">\nhello\n</file>'
 */
export function buildFileContext(sections: FileSection[], maxChars: number): string {
  const full = [
    `[Attached files: ${sections.length}. The extracted text of each follows.]`,
    ...sections.map(({ file, kind, text }) =>
      `<file id="${file.id}" name="${
        attribute(file.filename)
      }" type="${kind}" bytes="${file.bytes}">\n${text}\n</file>`
    ),
  ].join("\n");
  if (full.length <= maxChars) return full;
  const marker = truncationMarker(maxChars);
  const keep = Math.max(0, maxChars - marker.length - 1);
  return keep === 0 ? marker : `${full.slice(0, keep)}\n${marker}`;
}

/** Adds `text` as the first part of the last user message (or a new user message at the end). */
export function prependToLastUserMessage(messages: ChatMessage[], text: string): ChatMessage[] {
  const part = { type: "text" as const, text };
  const index = messages.findLastIndex((m) => m.role === "user");
  if (index === -1) return [...messages, { role: "user", content: [part] }];
  const message = messages[index] as Extract<ChatMessage, { role: "user" }>;
  const content = typeof message.content === "string"
    ? (message.content === "" ? [part] : [part, { type: "text" as const, text: message.content }])
    : [part, ...message.content];
  const out = [...messages];
  out[index] = { ...message, content };
  return out;
}

/** The distinct ids of a request's `file_ids`, in order; 400 beyond {@link MAX_FILE_IDS}. */
function fileIdsOf(request: ChatRequest): string[] {
  const ids = [...new Set(request.file_ids ?? [])];
  if (ids.length > MAX_FILE_IDS) {
    throw new GatewayError(
      "invalid_request",
      `At most ${MAX_FILE_IDS} distinct file_ids may be attached to one request.`,
      { param: "file_ids" },
    );
  }
  return ids;
}

/**
 * The request with its files' context applied and `file_ids` removed. Without `file_ids` the
 * request is returned as is. Every id is looked up before any file is read.
 */
export async function applyFileContext(
  request: ChatRequest,
  options: FileContextOptions | undefined,
): Promise<ChatRequest> {
  if (request.file_ids === undefined) return request;
  const { file_ids: _ignored, ...rest } = request;
  const ids = fileIdsOf(request);
  if (ids.length === 0) return rest;
  if (options === undefined) throw fileNotFound(ids[0], "file_ids");
  await Promise.all(ids.map(async (id) => {
    try {
      await options.store.get(id);
    } catch (error) {
      if (error instanceof GatewayError && error.code === "file_not_found") {
        throw fileNotFound(id, "file_ids");
      }
      throw error;
    }
  }));
  const extract = options.extract ?? extractFile;
  const sections = await Promise.all(ids.map(async (id): Promise<FileSection> => {
    const { file, bytes } = await readAll(options.store, id);
    const { kind, text } = await extract(file, bytes, options.maxChars);
    return { file, kind, text };
  }));
  const block = buildFileContext(sections, options.maxChars);
  return { ...rest, messages: prependToLastUserMessage(rest.messages, block) };
}
