/**
 * The virtual keys admin operations both transports serve (HTTP `/admin/keys…`, tRPC
 * `admin.keys.*`): create (the only answer holding the key), list (OpenAI's cursor paging),
 * get, update and revoke. Every write is applied to this instance's {@link KeyCache} at once;
 * other instances see it within their poll interval.
 */
import { GatewayError } from "../errors.ts";
import { type PagingQuery, parsePaging } from "../list_query.ts";
import { fromStore } from "../store/errors.ts";
import type { KeyRepository, VirtualKeyRecord } from "../store/store.ts";
import type { KeyCache } from "./key_cache.ts";
import { generateKey, hashKey, newKeyId, visiblePrefix } from "./key_material.ts";
import {
  changesOf,
  createKeySchema,
  type KeyObject,
  parseKeyBody,
  settingsOf,
  toKeyObject,
  updateKeySchema,
} from "./schema.ts";

/** The largest page `GET /admin/keys` returns. */
export const MAX_KEYS_PAGE = 1_000;

/** The answer of a create: the key object plus the key, shown this once. */
export interface CreatedKey extends KeyObject {
  key: string;
}

/** A page of keys. */
export interface KeyList {
  object: "list";
  data: KeyObject[];
  has_more: boolean;
  first_id: string;
  last_id: string;
}

/** A revocation's answer. */
export interface RevokedKey {
  id: string;
  object: "virtual_key";
  deleted: true;
}

/** The admin operations. */
export interface KeyAdmin {
  create(body: unknown): Promise<CreatedKey>;
  list(query: PagingQuery): Promise<KeyList>;
  get(id: string): Promise<KeyObject>;
  update(id: string, body: unknown): Promise<KeyObject>;
  revoke(id: string): Promise<RevokedKey>;
}

const notFound = (id: string) =>
  new GatewayError("not_found", `No virtual key with id '${id}' (it may have been revoked).`, {
    code: "key_not_found",
    param: "id",
  });

/**
 * The admin operations over `repo`, telling `cache` of every write.
 *
 * @example
 * const admin = createKeyAdmin(store.keys, cache); const { key } = await admin.create({ name: "ci" });
 */
export function createKeyAdmin(
  repo: KeyRepository,
  cache?: KeyCache,
  now: () => number = () => Math.floor(Date.now() / 1000),
): KeyAdmin {
  const found = async (id: string): Promise<VirtualKeyRecord> => {
    const record = await fromStore(repo.get(id));
    if (record === undefined) throw notFound(id);
    return record;
  };
  return {
    async create(body) {
      const parsed = parseKeyBody(createKeySchema, body);
      const key = generateKey();
      const record = await fromStore(repo.insert({
        id: newKeyId(),
        hash: hashKey(key),
        prefix: visiblePrefix(key),
        name: parsed.name,
        enabled: parsed.enabled ?? true,
        createdAt: now(),
        ...settingsOf(parsed),
      }));
      cache?.remember(record);
      return { ...toKeyObject(record), key };
    },
    async list(query) {
      const paging = parsePaging(query, { max: MAX_KEYS_PAGE, fallback: 100 });
      const page = await fromStore(repo.list(paging));
      const data = page.data.map(toKeyObject);
      return {
        object: "list",
        data,
        has_more: page.hasMore,
        first_id: data[0]?.id ?? "",
        last_id: data[data.length - 1]?.id ?? "",
      };
    },
    async get(id) {
      return toKeyObject(await found(id));
    },
    async update(id, body) {
      const parsed = parseKeyBody(updateKeySchema, body);
      const changes = changesOf(parsed, await found(id));
      const record = await fromStore(repo.update(id, changes));
      if (record === undefined) throw notFound(id);
      cache?.remember(record);
      return toKeyObject(record);
    },
    async revoke(id) {
      const current = await found(id);
      if (!await fromStore(repo.revoke(id, now()))) throw notFound(id);
      cache?.remember({ ...current, revokedAt: now(), updatedAt: Number.MAX_SAFE_INTEGER });
      return { id, object: "virtual_key", deleted: true };
    },
  };
}
