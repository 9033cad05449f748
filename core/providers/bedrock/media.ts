/**
 * Fetches the remote (http/https) images of a request through the guarded fetch before the
 * request is translated to Converse, so the converters stay pure. Each URL is fetched once;
 * a refusal or an unusable body is a 400 naming the first part that uses the URL.
 */
import {
  collectMediaUrls,
  imageFormatFromMime,
  type ResolvedMedia,
  sniffImageFormat,
} from "../../converters/converse_media.ts";
import { GatewayError } from "../../errors.ts";
import type { ChatRequest } from "../../formats/openai.ts";
import type { GuardedFetch } from "../../net/guarded_fetch.ts";

/** The request path of the first content part that references `url`. */
export function partParam(request: ChatRequest, url: string): string {
  for (const [i, message] of request.messages.entries()) {
    if (typeof message.content === "string" || !Array.isArray(message.content)) continue;
    for (const [j, part] of (message.content as Array<Record<string, unknown>>).entries()) {
      const image = part.image_url as { url?: unknown } | undefined;
      if (part.type === "image_url" && image?.url === url) {
        return `messages[${i}].content[${j}].image_url`;
      }
    }
  }
  return "messages";
}

/**
 * Fetches every http(s) image URL of `request` (in parallel) and detects its format.
 *
 * @example
 * const media = await resolveMedia(request, createGuardedFetch({ allowPrivate: false }), signal);
 * media.get("https://example.com/cat.png"); // { bytes, format: "png" }
 */
export async function resolveMedia(
  request: ChatRequest,
  fetchMedia: GuardedFetch,
  signal: AbortSignal,
): Promise<ResolvedMedia> {
  const urls = collectMediaUrls(request);
  if (urls.length === 0) return new Map();
  const entries = await Promise.all(urls.map(async (url) => {
    const param = partParam(request, url);
    const media = await fetchMedia(url, param, signal);
    const format = sniffImageFormat(media.bytes) ??
      (media.contentType === undefined ? undefined : imageFormatFromMime(media.contentType));
    if (format === undefined) {
      throw new GatewayError(
        "invalid_request",
        `The URL at ${param} is not a png, jpeg, gif or webp image.`,
        { code: "invalid_image_url", param },
      );
    }
    return [url, { bytes: media.bytes, format }] as const;
  }));
  return new Map(entries);
}
