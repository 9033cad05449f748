/**
 * The `s3` file store: one object per file's content (`{prefix}content/{id}`) plus one for its
 * metadata (`{prefix}meta/{id}.json`), written content first and metadata last, so a file is
 * visible only once complete — and to every gateway instance sharing the bucket. Uploads stream
 * through `@aws-sdk/lib-storage` (multipart above 5 MiB, aborted on failure); listing pages
 * through the metadata prefix. The S3 client is injected by `main.ts`, which honours
 * `AWS_ENDPOINT_URL_S3` through the SDK.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import {
  FILE_ID_PATTERN,
  fileNotFound,
  type FileStore,
  fileTooLarge,
  isFileId,
  limitBytes,
  newFileId,
  pageOf,
  parseStoredFile,
  type StoredFile,
  storedFileOf,
} from "./store.ts";

/** Options of {@link createS3FileStore}. */
export interface S3StoreOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix for everything the store writes; default `files/`. */
  prefix?: string;
  /** Keys per ListObjects page (default: the server's, 1000 on S3). */
  listPageSize?: number;
  /** Clock (tests). */
  now?: () => Date;
}

const META_KEY = new RegExp(`(${FILE_ID_PATTERN.source.slice(1, -1)})\\.json$`);
const READ_CONCURRENCY = 16;

const isNoSuchKey = (error: unknown) =>
  error instanceof Error && (error.name === "NoSuchKey" || error.name === "NotFound");

/**
 * Creates the S3 store.
 *
 * @example
 * const store = createS3FileStore({ client: new S3Client({}), bucket: "gateway-files" });
 */
export function createS3FileStore(options: S3StoreOptions): FileStore {
  const { client, bucket } = options;
  const prefix = options.prefix ?? "files/";
  const now = options.now ?? (() => new Date());
  const contentKey = (id: string) => `${prefix}content/${id}`;
  const metaKey = (id: string) => `${prefix}meta/${id}.json`;

  async function readMeta(id: string): Promise<StoredFile> {
    if (!isFileId(id)) throw fileNotFound(id);
    let text: string;
    try {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: metaKey(id) }));
      text = await out.Body!.transformToString("utf-8");
    } catch (error) {
      if (isNoSuchKey(error)) throw fileNotFound(id);
      throw error;
    }
    const file = parseStoredFile(text);
    if (file === undefined || file.id !== id) throw fileNotFound(id);
    return file;
  }

  async function removeQuietly(key: string): Promise<void> {
    try {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch {
      // best effort: an orphaned content object without metadata is never listed
    }
  }

  return {
    async put(content, meta, limit) {
      const metadata = Promise.resolve(meta);
      metadata.catch(() => {}); // may settle while the content is still streaming
      const id = newFileId();
      const counter = { bytes: 0 };
      try {
        const upload = new Upload({
          client,
          params: {
            Bucket: bucket,
            Key: contentKey(id),
            Body: content.pipeThrough(limitBytes(limit, counter)),
          },
        });
        try {
          await upload.done();
        } catch (error) {
          if (counter.bytes > limit) throw fileTooLarge(limit);
          throw error;
        }
        const file = storedFileOf(id, counter.bytes, await metadata, now());
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: metaKey(id),
            Body: JSON.stringify(file),
            ContentType: "application/json",
          }),
        );
        return file;
      } catch (error) {
        await removeQuietly(contentKey(id));
        throw error;
      }
    },

    get: readMeta,

    async list(listOptions) {
      const ids: string[] = [];
      // ListObjects (v1) pages by `Marker` (the last key seen): every S3-compatible server
      // implements it the same way, with no opaque continuation token to decode.
      let marker: string | undefined;
      while (true) {
        const page = await client.send(
          new ListObjectsCommand({
            Bucket: bucket,
            Prefix: `${prefix}meta/`,
            Marker: marker,
            MaxKeys: options.listPageSize,
          }),
        );
        const keys = (page.Contents ?? []).map((o) => o.Key).filter((k) => k !== undefined);
        for (const key of keys) {
          const match = key.match(META_KEY);
          if (match) ids.push(match[1]);
        }
        if (!page.IsTruncated || keys.length === 0) break;
        marker = keys[keys.length - 1];
      }
      const files: StoredFile[] = [];
      for (let i = 0; i < ids.length; i += READ_CONCURRENCY) {
        const batch = await Promise.all(
          ids.slice(i, i + READ_CONCURRENCY).map((id) => readMeta(id).catch(() => undefined)),
        );
        for (const file of batch) if (file !== undefined) files.push(file);
      }
      return pageOf(files, listOptions);
    },

    async open(id) {
      const file = await readMeta(id);
      try {
        const out = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: contentKey(id) }),
        );
        return { file, body: out.Body!.transformToWebStream() as ReadableStream<Uint8Array> };
      } catch (error) {
        if (isNoSuchKey(error)) throw fileNotFound(id);
        throw error;
      }
    },

    async delete(id) {
      await readMeta(id);
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: metaKey(id) }));
      await removeQuietly(contentKey(id));
    },
  };
}
