/**
 * Helpers for the Files API tests: an in-process gateway on a scratch `FILES_DIR`, multipart
 * uploads and the files left in the directory.
 */
import { type TestApp, testApp, type TestAppOptions } from "../helpers/app.ts";

/** A test gateway whose local file store lives in a temp directory removed on dispose. */
export interface FilesApp extends AsyncDisposable {
  gw: TestApp;
  dir: string;
  /** Names in FILES_DIR (content, metadata, and any leftover temp file). */
  entries(): Promise<string[]>;
}

/** Builds the gateway with `FILES_DIR` in a fresh temp directory, plus `env`. */
export async function filesApp(
  env: Record<string, string | undefined> = {},
  options: TestAppOptions = {},
): Promise<FilesApp> {
  const dir = await Deno.makeTempDir({ prefix: "gateway-files-" });
  const gw = testApp({ FILES_DIR: dir, ...env }, options);
  return {
    gw,
    dir,
    async entries() {
      const names: string[] = [];
      for await (const entry of Deno.readDir(dir)) names.push(entry.name);
      return names.sort();
    },
    async [Symbol.asyncDispose]() {
      await options.store?.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** A multipart form with `file` (and `purpose` unless null), in that order. */
export function uploadForm(
  content: BlobPart,
  filename: string,
  purpose: string | null = "assistants",
  type = "text/plain",
): FormData {
  const form = new FormData();
  form.append("file", new File([content], filename, { type }));
  if (purpose !== null) form.append("purpose", purpose);
  return form;
}

/** `POST /v1/files` with a form. */
export function upload(gw: TestApp, form: FormData, headers: HeadersInit = {}): Promise<Response> {
  return gw.request("/v1/files", { method: "POST", body: form, headers });
}

/** Uploads and returns the file object (asserting 200). */
export async function uploaded(
  gw: TestApp,
  content: BlobPart,
  filename: string,
  type = "text/plain",
): Promise<{ id: string; bytes: number; filename: string }> {
  const res = await upload(gw, uploadForm(content, filename, "assistants", type));
  const body = await res.json();
  if (res.status !== 200) throw new Error(`upload failed: ${res.status} ${JSON.stringify(body)}`);
  return body;
}
