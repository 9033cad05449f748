/**
 * The `local` file store: a directory (`FILES_DIR`) holding, per file, its content `{id}` and its
 * metadata `{id}.json` side by side. Both are written to temporary names first and renamed into
 * place (metadata last, so a file is visible only once complete); a failed or oversized upload
 * removes its temporary files. Ids are checked against {@link FILE_ID_PATTERN} before any path
 * is built, so no id can reach outside the directory.
 */
import {
  FILE_ID_PATTERN,
  fileNotFound,
  type FileStore,
  isFileId,
  limitBytes,
  newFileId,
  pageOf,
  parseStoredFile,
  type StoredFile,
  storedFileOf,
} from "./store.ts";

/** Options of {@link createLocalFileStore}. */
export interface LocalStoreOptions {
  /** The directory; created on first upload. */
  dir: string;
  /** Clock (tests). */
  now?: () => Date;
}

const META_NAME = new RegExp(`^${FILE_ID_PATTERN.source.slice(1, -1)}\\.json$`);

async function removeQuietly(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/**
 * Creates the local directory store.
 *
 * @example
 * const store = createLocalFileStore({ dir: "./data/files" });
 */
export function createLocalFileStore(options: LocalStoreOptions): FileStore {
  const dir = options.dir.replace(/\/+$/, "") || "/";
  const now = options.now ?? (() => new Date());
  const contentPath = (id: string) => `${dir}/${id}`;
  const metaPath = (id: string) => `${dir}/${id}.json`;

  async function readMeta(id: string): Promise<StoredFile> {
    if (!isFileId(id)) throw fileNotFound(id);
    let text: string;
    try {
      text = await Deno.readTextFile(metaPath(id));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) throw fileNotFound(id);
      throw error;
    }
    const file = parseStoredFile(text);
    if (file === undefined || file.id !== id) throw fileNotFound(id);
    return file;
  }

  return {
    async put(content, meta, limit) {
      const metadata = Promise.resolve(meta);
      metadata.catch(() => {}); // may settle while the content is still streaming
      await Deno.mkdir(dir, { recursive: true });
      const id = newFileId();
      const tmpContent = `${dir}/.tmp-${id}`;
      const tmpMeta = `${dir}/.tmp-${id}.json`;
      const counter = { bytes: 0 };
      try {
        const handle = await Deno.open(tmpContent, { write: true, createNew: true });
        await content.pipeThrough(limitBytes(limit, counter)).pipeTo(handle.writable);
        const file = storedFileOf(id, counter.bytes, await metadata, now());
        await Deno.writeTextFile(tmpMeta, JSON.stringify(file), { createNew: true });
        await Deno.rename(tmpContent, contentPath(id));
        await Deno.rename(tmpMeta, metaPath(id));
        return file;
      } catch (error) {
        await removeQuietly(tmpContent);
        await removeQuietly(tmpMeta);
        await removeQuietly(contentPath(id));
        throw error;
      }
    },

    get: readMeta,

    async list(listOptions) {
      const names: string[] = [];
      try {
        for await (const entry of Deno.readDir(dir)) {
          if (entry.isFile && META_NAME.test(entry.name)) names.push(entry.name);
        }
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      const files = await Promise.all(
        names.map((name) => readMeta(name.slice(0, -".json".length)).catch(() => undefined)),
      );
      return pageOf(files.filter((f): f is StoredFile => f !== undefined), listOptions);
    },

    async open(id) {
      const file = await readMeta(id);
      try {
        const handle = await Deno.open(contentPath(id), { read: true });
        return { file, body: handle.readable };
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) throw fileNotFound(id);
        throw error;
      }
    },

    async delete(id) {
      if (!isFileId(id)) throw fileNotFound(id);
      try {
        await Deno.remove(metaPath(id));
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) throw fileNotFound(id);
        throw error;
      }
      await removeQuietly(contentPath(id));
    },
  };
}
