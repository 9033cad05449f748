/**
 * The file store interface (SPEC §4) shared by the local and S3 backends, the OpenAI file
 * object shape, id generation and validation, and the helpers both backends use: a byte-counting
 * stream that enforces the upload limit, and listing (filter, order, cursor, `has_more`).
 */
import { GatewayError } from "../errors.ts";

/** The purposes OpenAI's Files API accepts on upload. */
export const FILE_PURPOSES = [
  "assistants",
  "batch",
  "fine-tune",
  "vision",
  "user_data",
  "evals",
] as const;

/** One of {@link FILE_PURPOSES}. */
export type FilePurpose = typeof FILE_PURPOSES[number];

/** What the client says about an upload. */
export interface FileMeta {
  filename: string;
  purpose: FilePurpose;
  /** The declared MIME type (as sent; parameters kept). */
  contentType: string;
}

/** A stored file's metadata. */
export interface StoredFile extends FileMeta {
  id: string;
  bytes: number;
  /** Unix seconds. */
  createdAt: number;
  /** Unix milliseconds: orders files created within the same second. */
  createdAtMs: number;
}

/**
 * The metadata record of a file just written.
 *
 * @example
 * storedFileOf("file-abc…", 12, { filename: "a.txt", purpose: "user_data", contentType: "text/plain" }, new Date());
 */
export function storedFileOf(id: string, bytes: number, meta: FileMeta, created: Date): StoredFile {
  return {
    id,
    bytes,
    createdAt: Math.floor(created.getTime() / 1000),
    createdAtMs: created.getTime(),
    filename: meta.filename,
    purpose: meta.purpose,
    contentType: meta.contentType,
  };
}

/** The OpenAI file object (`GET /v1/files/{id}`). */
export interface FileObject {
  id: string;
  object: "file";
  bytes: number;
  created_at: number;
  /**
   * Unix seconds when the file expires. Stored files never expire, so it is absent: OpenAI's
   * schema types it as an integer (not nullable), as it does the deprecated `status_details`
   * string, which the gateway never sets either.
   */
  expires_at?: number;
  filename: string;
  purpose: string;
  status: "processed";
  status_details?: string;
}

/** Options of {@link FileStore.list}. */
export interface ListOptions {
  purpose?: string;
  /** Page size, 1…10000. */
  limit: number;
  /** Cursor: the id of the last file of the previous page. */
  after?: string;
  /** By creation time; default `desc` (newest first). */
  order: "asc" | "desc";
}

/** One page of files. */
export interface FilePage {
  data: StoredFile[];
  has_more: boolean;
}

/** Where uploads live. Every method throws {@link GatewayError} (404 `file_not_found`, 413). */
export interface FileStore {
  /**
   * Stores `content`, streaming, and fails with `too_large` (413) as soon as more than `limit`
   * bytes arrive; a failed or partial upload leaves nothing behind. `meta` may be a promise
   * (multipart fields that follow the file part): it is awaited after the content is written,
   * and its rejection discards the upload.
   */
  put(
    content: ReadableStream<Uint8Array>,
    meta: FileMeta | PromiseLike<FileMeta>,
    limit: number,
  ): Promise<StoredFile>;
  /** The metadata of one file. */
  get(id: string): Promise<StoredFile>;
  /** A page of files, filtered by purpose, in creation order. */
  list(options: ListOptions): Promise<FilePage>;
  /** The metadata and a stream of the exact bytes. */
  open(id: string): Promise<{ file: StoredFile; body: ReadableStream<Uint8Array> }>;
  /** Removes a file (content and metadata). */
  delete(id: string): Promise<void>;
}

/** A file id: `file-` and 24 to 64 alphanumerics — nothing that can name a path. */
export const FILE_ID_PATTERN = /^file-[A-Za-z0-9]{24,64}$/;

/**
 * True for a well-formed file id.
 *
 * @example
 * isFileId("file-../../etc/passwd"); // false
 */
export function isFileId(id: string): boolean {
  return FILE_ID_PATTERN.test(id);
}

/** A new random file id: `file-` + 24 alphanumerics (≈143 bits). */
export function newFileId(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  let id = "file-";
  for (const b of bytes) id += alphabet[b % alphabet.length];
  return id;
}

/** The 404 for an unknown (or malformed) file id. */
export function fileNotFound(id: string, param: string | null = null): GatewayError {
  const shown = isFileId(id) ? id : "(malformed id)";
  return new GatewayError("not_found", `No such file: ${shown}.`, {
    code: "file_not_found",
    param,
  });
}

/** The 413 for an upload over `limit` bytes. */
export function fileTooLarge(limit: number): GatewayError {
  return new GatewayError(
    "too_large",
    `The file exceeds the limit of ${limit} bytes (MAX_FILE_BYTES).`,
    { param: "file" },
  );
}

/** The OpenAI file object of a stored file. */
export function toFileObject(file: StoredFile): FileObject {
  return {
    id: file.id,
    object: "file",
    bytes: file.bytes,
    created_at: file.createdAt,
    filename: file.filename,
    purpose: file.purpose,
    status: "processed",
  };
}

/**
 * Passes bytes through, counting them into `counter.bytes`; errors the stream with a 413 once
 * more than `limit` bytes have passed.
 */
export function limitBytes(
  limit: number,
  counter: { bytes: number },
): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream({
    transform(chunk, controller) {
      counter.bytes += chunk.byteLength;
      if (counter.bytes > limit) controller.error(fileTooLarge(limit));
      else controller.enqueue(chunk);
    },
  });
}

/** Ordering: creation time, then id, so files of the same millisecond still have one order. */
function compare(a: StoredFile, b: StoredFile): number {
  return a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Filters, orders and pages a full listing (both backends list all metadata, then page here).
 * An `after` cursor that names no listed file yields an empty page.
 */
export function pageOf(files: StoredFile[], options: ListOptions): FilePage {
  const filtered = files.filter((f) =>
    options.purpose === undefined || f.purpose === options.purpose
  )
    .sort(compare);
  if (options.order === "desc") filtered.reverse();
  let start = 0;
  if (options.after !== undefined) {
    const at = filtered.findIndex((f) => f.id === options.after);
    start = at === -1 ? filtered.length : at + 1;
  }
  const data = filtered.slice(start, start + options.limit);
  return { data, has_more: start + options.limit < filtered.length };
}

/** Reads a stored file's bytes into memory (extraction; stored files are at most MAX_FILE_BYTES). */
export async function readAll(store: FileStore, id: string): Promise<{
  file: StoredFile;
  bytes: Uint8Array;
}> {
  const { file, body } = await store.open(id);
  const bytes = new Uint8Array(await new Response(body).arrayBuffer());
  return { file, bytes };
}

/** Parses a metadata record read back from storage (JSON). */
export function parseStoredFile(text: string): StoredFile | undefined {
  try {
    const v = JSON.parse(text) as Partial<StoredFile>;
    if (
      typeof v.id !== "string" || !isFileId(v.id) || typeof v.bytes !== "number" ||
      typeof v.createdAt !== "number" || typeof v.filename !== "string" ||
      typeof v.purpose !== "string" || typeof v.contentType !== "string"
    ) return undefined;
    return { ...v, createdAtMs: v.createdAtMs ?? v.createdAt * 1000 } as StoredFile;
  } catch {
    return undefined;
  }
}
