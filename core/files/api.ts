/**
 * The Files API operations both transports serve (HTTP `/v1/files`, tRPC `files.*`): list query
 * validation, the OpenAI list and deletion shapes.
 */
import { type PagingQuery, parsePaging } from "../list_query.ts";
import { type FileObject, type FileStore, type ListOptions, toFileObject } from "./store.ts";

/** The largest page `GET /v1/files` returns (OpenAI's limit). */
export const MAX_LIST_LIMIT = 10_000;

/** The list query as a client sends it (strings from HTTP, typed values from tRPC). */
export interface ListQuery extends PagingQuery {
  purpose?: string;
}

/** OpenAI's file list. */
export interface FileList {
  object: "list";
  data: FileObject[];
  has_more: boolean;
  /** The first file's id; `""` for an empty page (OpenAI's schema requires a string). */
  first_id: string;
  /** The last file's id; `""` for an empty page. */
  last_id: string;
}

/** OpenAI's deletion result. */
export interface DeletedFile {
  id: string;
  object: "file";
  deleted: true;
}

/**
 * Validates a list query: `limit` 1…10000 (default 10000), `order` `asc`|`desc` (default `desc`).
 *
 * @example
 * parseListQuery({ limit: "2", order: "asc" }); // { limit: 2, order: "asc" }
 */
export function parseListQuery(query: ListQuery): ListOptions {
  const paging = parsePaging(query, { max: MAX_LIST_LIMIT, fallback: MAX_LIST_LIMIT });
  return query.purpose !== undefined && query.purpose !== ""
    ? { ...paging, purpose: query.purpose }
    : paging;
}

/** One page of files as OpenAI lists them. */
export async function listFiles(store: FileStore, query: ListQuery): Promise<FileList> {
  const page = await store.list(parseListQuery(query));
  const data = page.data.map(toFileObject);
  return {
    object: "list",
    data,
    has_more: page.has_more,
    first_id: data[0]?.id ?? "",
    last_id: data[data.length - 1]?.id ?? "",
  };
}

/** One file's OpenAI object. */
export async function getFile(store: FileStore, id: string): Promise<FileObject> {
  return toFileObject(await store.get(id));
}

/** Deletes a file; OpenAI's deletion result. */
export async function deleteFile(store: FileStore, id: string): Promise<DeletedFile> {
  await store.delete(id);
  return { id, object: "file", deleted: true };
}
