/**
 * Streaming multipart upload for `POST /v1/files` (`busboy`): the `file` part streams straight
 * into the store (never buffered whole), `MAX_FILE_BYTES` enforced while it is read; the
 * `purpose` field may come before or after the file (the official clients send it after), so
 * the store receives the metadata as a promise settled once the form has been read. Empty files,
 * a missing file part and a bad purpose are 400s; nothing of a refused upload is kept.
 */
// @ts-types="@types/busboy"
import busboy from "busboy";
import { Readable } from "node:stream";
import { GatewayError } from "../core/errors.ts";
import { unreadableBody } from "./body.ts";
import {
  FILE_PURPOSES,
  type FileMeta,
  type FilePurpose,
  type FileStore,
  type StoredFile,
} from "../core/files/store.ts";

const invalid = (message: string, param: string, code = "invalid_value") =>
  new GatewayError("invalid_request", message, { param, code });

/** The file name without any client path, at most 255 characters. */
function baseName(name: string | undefined): string {
  // deno-lint-ignore no-control-regex -- control characters are what is removed
  const base = (name ?? "").split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return base === "" ? "upload" : base.slice(0, 255);
}

function purposeOf(value: string | undefined): FilePurpose {
  if (value === undefined) {
    throw invalid(
      "Missing required parameter: 'purpose'.",
      "purpose",
      "missing_required_parameter",
    );
  }
  if (!(FILE_PURPOSES as readonly string[]).includes(value)) {
    throw invalid(
      `Invalid value for 'purpose': '${value.slice(0, 50)}'. Expected one of ${
        FILE_PURPOSES.join(", ")
      }.`,
      "purpose",
    );
  }
  return value as FilePurpose;
}

/** Reads a multipart upload from `request` into `store` (at most `limit` bytes of file). */
export async function receiveUpload(
  request: Request,
  store: FileStore,
  limit: number,
): Promise<StoredFile> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\b/i.test(contentType) || request.body === null) {
    throw invalid("Uploads must be multipart/form-data with a 'file' part.", "file");
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": contentType },
      defParamCharset: "utf8",
      limits: { fields: 20, fieldSize: 64 * 1024, parts: 40 },
    });
  } catch {
    throw invalid("The multipart body has no valid boundary.", "file");
  }
  const source = Readable.fromWeb(request.body as import("node:stream/web").ReadableStream);
  const fields = new Map<string, string>();
  const meta = Promise.withResolvers<FileMeta>();
  meta.promise.catch(() => {}); // the store reports it; without a file part nobody awaits it
  const read = Promise.withResolvers<void>();
  let fileStream: Readable | undefined;
  let declared: { filename: string; contentType: string } | undefined;
  let stored: Promise<StoredFile> | undefined;

  parser.on("field", (name, value) => fields.has(name) || fields.set(name, value));
  parser.on("file", (name, stream, info) => {
    if (name !== "file" || stored !== undefined) return void stream.resume();
    fileStream = stream;
    declared = {
      filename: baseName(info.filename),
      contentType: info.mimeType || "application/octet-stream",
    };
    stored = store.put(Readable.toWeb(stream) as ReadableStream<Uint8Array>, meta.promise, limit);
    stored.then(undefined, (error) => read.reject(error));
  });
  parser.on("close", () => read.resolve());
  parser.on("error", () => read.reject(invalid("The multipart body is malformed.", "file")));
  source.on("error", (error) => {
    // A cut connection or broken chunked encoding: the client's fault, never a 500.
    const fault = unreadableBody(error);
    fileStream?.destroy(fault);
    read.reject(fault);
  });
  source.pipe(parser);

  try {
    await read.promise;
    if (stored === undefined || declared === undefined) {
      throw invalid("Missing required parameter: 'file'.", "file", "missing_required_parameter");
    }
    meta.resolve({ ...declared, purpose: purposeOf(fields.get("purpose")) });
  } catch (error) {
    meta.reject(error);
    source.unpipe(parser);
    source.destroy();
    await stored?.catch(() => {});
    throw error;
  }
  const file = await stored;
  if (file.bytes === 0) {
    await store.delete(file.id).catch(() => {});
    throw invalid("The file is empty.", "file", "empty_file");
  }
  return file;
}
