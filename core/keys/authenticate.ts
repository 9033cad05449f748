/**
 * Who is calling: the presented key (`Authorization: Bearer …` or `x-api-key`) resolved to a
 * {@link Caller}, the same way for both transports. Static `API_KEY` keys (compared in constant
 * time) are unlimited; the admin key (`ADMIN_API_KEY`, else the first `API_KEY`) may also use
 * `/admin/*`; an `sk-gw-` key is looked up by its hash in the {@link KeyCache} and must be
 * enabled and not expired. Unknown, disabled and expired keys are refused alike. With no key
 * configured at all, authentication is off (loopback only) and every caller is an admin.
 */
import { createKeyChecker } from "../auth.ts";
import { GatewayError } from "../errors.ts";
import type { CachedKey, KeyCache } from "./key_cache.ts";
import { hashKey, isVirtualKey } from "./key_material.ts";
import type { VirtualKeyRecord } from "../store/store.ts";

/** A virtual key's identity, recorded in the request's meta (never the key itself). */
export interface KeyIdentity {
  id: string;
  name: string;
  team?: string;
}

/** An authenticated caller. */
export interface Caller {
  /** `open`: authentication is off; `static`: an `API_KEY` key; `admin`: the admin key;
   * `virtual`: an `sk-gw-` key. */
  kind: "open" | "static" | "admin" | "virtual";
  /** May use `/admin/*`. */
  admin: boolean;
  /** The virtual key's identity (kind `virtual`). */
  key?: KeyIdentity;
  /** The virtual key as cached, with its settings (kind `virtual`). */
  virtual?: CachedKey;
  /** Whether the caller may use a model as asked for; absent: any model. */
  allowsModel?: (model: string) => boolean;
}

/** Resolves a presented key; undefined when it is refused. */
export type Authenticator = (presented: string | null | undefined) => Promise<Caller | undefined>;

/** Options of {@link createAuthenticator}. */
export interface AuthenticatorOptions {
  /** `API_KEY`'s keys. */
  apiKeys: readonly string[];
  /** `ADMIN_API_KEY` (already defaulted to the first API_KEY). */
  adminKey?: string;
  /** The virtual keys; without it `sk-gw-` keys are unknown. */
  keys?: KeyCache;
  /** Unix seconds; default the system clock. */
  now?: () => number;
}

/** The 401 of a missing, unknown, disabled or expired key (one message for all). */
export function invalidKeyError(): GatewayError {
  return new GatewayError(
    "auth",
    "Missing or invalid API key. Send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'.",
  );
}

/** What a request's meta records of its caller (the chat pipeline's `RequestMeta` has it). */
export interface CallerRecord {
  key?: KeyIdentity;
  allowsModel?: (model: string) => boolean;
  /** The virtual key's record (its limits and budget, for the rate-limit gate). */
  virtualKey?: VirtualKeyRecord;
}

/** Records `caller`'s identity and model allowlist in a request's meta. */
export function recordCaller(meta: CallerRecord, caller: Caller): void {
  if (caller.key !== undefined) meta.key = caller.key;
  if (caller.allowsModel !== undefined) meta.allowsModel = caller.allowsModel;
  if (caller.virtual !== undefined) meta.virtualKey = caller.virtual.record;
}

/** The 403 of a non-admin key on an admin route. */
export function adminOnlyError(): GatewayError {
  return new GatewayError(
    "permission",
    "This route needs the admin key (ADMIN_API_KEY, or the first API_KEY).",
    { code: "permission_denied" },
  );
}

/**
 * Builds the authenticator.
 *
 * @example
 * const authenticate = createAuthenticator({ apiKeys: ["k1"], adminKey: "k1", keys: cache });
 * (await authenticate("k1"))?.admin; // true
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { apiKeys, adminKey, keys } = options;
  const now = options.now ?? (() => Date.now() / 1000);
  const off = apiKeys.length === 0 && adminKey === undefined;
  const staticKeys = apiKeys.filter((k) => k !== adminKey);
  // createKeyChecker([]) lets everything through (auth off): only used with keys.
  const isStatic = createKeyChecker(staticKeys);
  const isAdmin = createKeyChecker(adminKey === undefined ? [] : [adminKey]);
  const open: Caller = { kind: "open", admin: true };
  return async (presented) => {
    if (keys !== undefined && presented && isVirtualKey(presented)) {
      const found = await keys.lookup(hashKey(presented));
      if (found !== undefined && usable(found, now())) {
        const { id, name, team } = found.record;
        return {
          kind: "virtual",
          admin: false,
          key: team === undefined ? { id, name } : { id, name, team },
          virtual: found,
          allowsModel: found.record.models === undefined ? undefined : found.allows,
        };
      }
    }
    if (off) return open;
    // Both comparisons always run: timing does not tell which kind of key matched.
    const admin = adminKey !== undefined && isAdmin(presented);
    const plain = staticKeys.length > 0 && isStatic(presented);
    if (admin) return { kind: "admin", admin: true };
    if (plain) return { kind: "static", admin: false };
    return undefined;
  };
}

/** Enabled and not expired at `now` (unix seconds). */
function usable(key: CachedKey, now: number): boolean {
  const { enabled, expiresAt } = key.record;
  return enabled && (expiresAt === undefined || now < expiresAt);
}
