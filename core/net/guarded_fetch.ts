/**
 * A guarded fetch for user-supplied media URLs (images, documents): http(s) only, every host
 * resolved and refused when any address is not public (loopback, private, link-local/metadata,
 * CGNAT, unique-local, IPv4-mapped…), redirects followed by hand and re-checked, a time limit
 * over the whole exchange and a size limit enforced while reading.
 *
 * Residual risk (documented): the address check and the connection resolve the name separately,
 * so a DNS answer that changes between the two (rebinding with a zero TTL) is not caught.
 */
import { GatewayError } from "../errors.ts";
import { nonPublicReason } from "./ip_ranges.ts";

/** Resolves a host name to its IPv4 and IPv6 addresses. */
export type ResolveHost = (hostname: string) => Promise<string[]>;

/** Settings of a guarded fetcher. */
export interface GuardedFetchOptions {
  /** Allow private and loopback addresses (`ALLOW_PRIVATE_IMAGE_URLS`). */
  allowPrivate: boolean;
  /** DNS resolver; defaults to `Deno.resolveDns` (A and AAAA). */
  resolveHost?: ResolveHost;
  /** The fetch implementation (tests may wrap it). */
  fetch?: typeof fetch;
  /** Whole-exchange limit; default 10 s. */
  timeoutMs?: number;
  /** Body size limit; default 20 MB. */
  maxBytes?: number;
  /** Redirects followed; default 3. */
  maxRedirects?: number;
}

/** A fetched body. */
export interface FetchedMedia {
  bytes: Uint8Array;
  /** The `content-type` media type (without parameters), lower-cased, when sent. */
  contentType?: string;
  /** The final URL after redirects. */
  url: string;
}

/** Fetches `url` for the request part named `param` (used in error messages). */
export type GuardedFetch = (
  url: string,
  param: string,
  signal: AbortSignal,
) => Promise<FetchedMedia>;

/** Resolves A and AAAA records with `Deno.resolveDns`; fails only when both fail. */
export const resolveWithDeno: ResolveHost = async (hostname) => {
  const results = await Promise.allSettled([
    Deno.resolveDns(hostname, "A"),
    Deno.resolveDns(hostname, "AAAA"),
  ]);
  const addresses = results.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
  if (addresses.length === 0) throw new Error(`could not resolve ${hostname}`);
  return addresses;
};

class Refused extends Error {}

const isRedirect = (status: number) => [301, 302, 303, 307, 308].includes(status);

/**
 * Creates a guarded fetcher. Refusals and failures are GatewayError `invalid_request` (400)
 * with `param` naming the request part.
 *
 * @example
 * const get = createGuardedFetch({ allowPrivate: false });
 * await get("http://169.254.169.254/latest", "messages[0].content[1].image_url", signal); // 400
 */
export function createGuardedFetch(options: GuardedFetchOptions): GuardedFetch {
  const resolveHost = options.resolveHost ?? resolveWithDeno;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxBytes ?? 20 * 1024 * 1024;
  const maxRedirects = options.maxRedirects ?? 3;

  async function checkHost(url: URL): Promise<void> {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new Refused(`only http and https URLs can be fetched, not ${url.protocol}`);
    }
    if (options.allowPrivate) return;
    const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
    if (host === "localhost" || host.endsWith(".localhost")) {
      throw new Refused(`the host ${host} is a loopback address`);
    }
    const literal = nonPublicReason(host) !== "not an IP address";
    let addresses: string[];
    try {
      addresses = literal ? [host] : await resolveHost(host);
    } catch {
      throw new Refused(`the host ${host} could not be resolved`);
    }
    if (addresses.length === 0) throw new Refused(`the host ${host} could not be resolved`);
    for (const address of addresses) {
      const reason = nonPublicReason(address);
      if (reason !== undefined) {
        throw new Refused(`the host ${host} resolves to a non-public address (${reason})`);
      }
    }
  }

  async function readLimited(response: Response): Promise<Uint8Array> {
    const declared = Number(response.headers.get("content-length") ?? NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      await response.body?.cancel();
      throw new Refused(`the content is larger than ${maxBytes} bytes`);
    }
    if (response.body === null) return new Uint8Array();
    const chunks: Uint8Array[] = [];
    let total = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw new Refused(`the content is larger than ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return bytes;
  }

  async function run(start: string, signal: AbortSignal): Promise<FetchedMedia> {
    let url: URL;
    try {
      url = new URL(start);
    } catch {
      throw new Refused("the URL is not valid");
    }
    for (let hop = 0;; hop++) {
      await checkHost(url);
      const response = await doFetch(url, { redirect: "manual", signal });
      if (isRedirect(response.status)) {
        await response.body?.cancel();
        const location = response.headers.get("location");
        if (location === null) throw new Refused("a redirect had no Location");
        if (hop >= maxRedirects) throw new Refused(`more than ${maxRedirects} redirects`);
        url = new URL(location, url);
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new Refused(`the server answered with status ${response.status}`);
      }
      const bytes = await readLimited(response);
      const type = response.headers.get("content-type")?.split(";")[0].trim().toLowerCase();
      return { bytes, url: url.href, ...(type ? { contentType: type } : {}) };
    }
  }

  return async (url, param, signal) => {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    const combined = AbortSignal.any([signal, timeout.signal]);
    try {
      return await run(url, combined);
    } catch (error) {
      if (signal.aborted) throw error;
      const reason = error instanceof Refused
        ? error.message
        : timeout.signal.aborted
        ? `no answer within ${timeoutMs} ms`
        : "the server could not be reached";
      throw new GatewayError("invalid_request", `Could not fetch the URL at ${param}: ${reason}.`, {
        code: "invalid_image_url",
        param,
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  };
}
