/**
 * The Files API (SPEC §3), shaped as OpenAI's so the official clients' `files.*` work:
 * `POST /v1/files` (streaming multipart), `GET /v1/files`, `GET /v1/files/{id}`,
 * `GET /v1/files/{id}/content` (exact bytes, stored type, RFC 6266 `filename*`),
 * `DELETE /v1/files/{id}`.
 */
import { Hono } from "hono";
import { deleteFile, getFile, listFiles } from "../../core/files/api.ts";
import { type FileStore, toFileObject } from "../../core/files/store.ts";
import type { AppEnv } from "../types.ts";
import { receiveUpload } from "../upload.ts";

/** Room for the multipart envelope (boundaries, headers, `purpose`) on top of MAX_FILE_BYTES. */
export const UPLOAD_ENVELOPE_BYTES = 64 * 1024;

/**
 * `Content-Disposition: attachment` with an ASCII `filename` fallback and the exact name as
 * RFC 6266 / RFC 5987 `filename*`.
 *
 * @example
 * contentDisposition("résumé.pdf"); // `attachment; filename="r_sum_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`
 */
export function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** The files routes, mounted at `/v1/files`. */
export function filesRoute(store: FileStore, maxFileBytes: number): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .post(
      "/",
      async (c) => c.json(toFileObject(await receiveUpload(c.req.raw, store, maxFileBytes))),
    )
    .get("/", async (c) => c.json(await listFiles(store, c.req.query())))
    .get("/:id", async (c) => c.json(await getFile(store, c.req.param("id"))))
    .delete("/:id", async (c) => c.json(await deleteFile(store, c.req.param("id"))))
    .get("/:id/content", async (c) => {
      const { file, body } = await store.open(c.req.param("id"));
      return new Response(body, {
        headers: {
          "content-type": file.contentType,
          "content-length": String(file.bytes),
          "content-disposition": contentDisposition(file.filename),
          "x-content-type-options": "nosniff",
        },
      });
    });
}
