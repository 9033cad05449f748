/**
 * Fetches the remote (http/https) media of a request — `image_url`s and documents'
 * `file.file_url` — through the guarded fetch before the request is translated to Converse, so the converters
 * stay pure (they judge the bytes: image or document format). Each URL is fetched once, all in
 * parallel; a refusal is a 400 naming the first part that uses the URL.
 */
import {
  collectMediaUrls,
  type FetchedContent,
  fileUrlOf,
  type ResolvedMedia,
} from "./converse/media.ts";
import type { ChatRequest } from "../../formats/openai/schema.ts";
import type { GuardedFetch } from "../../net/guarded_fetch.ts";

/**
 * The request path of the first content part that references `url`: its `image_url`, or the
 * `file` of a document part.
 *
 * @example
 * partParam(request, "https://example.com/a.pdf"); // "messages[0].content[1].file"
 */
export function partParam(request: ChatRequest, url: string): string {
  for (const [i, message] of request.messages.entries()) {
    if (message.role !== "user" || typeof message.content === "string") continue;
    for (const [j, part] of message.content.entries()) {
      if (part.type === "image_url" && part.image_url.url === url) {
        return `messages[${i}].content[${j}].image_url`;
      }
      if (part.type === "file" && fileUrlOf(part.file) === url) {
        return `messages[${i}].content[${j}].file`;
      }
    }
  }
  return "messages";
}

/**
 * Fetches every http(s) image and document URL of `request` (each once, in parallel).
 *
 * @example
 * const media = await resolveMedia(request, createGuardedFetch({ allowPrivate: false }), signal);
 * media.get("https://example.com/cat.png"); // { bytes, contentType: "image/png" }
 */
export async function resolveMedia(
  request: ChatRequest,
  fetchMedia: GuardedFetch,
  signal: AbortSignal,
): Promise<ResolvedMedia> {
  const urls = collectMediaUrls(request);
  if (urls.length === 0) return new Map();
  const entries = await Promise.all(urls.map(async (url) => {
    const media = await fetchMedia(url, partParam(request, url), signal);
    const fetched: FetchedContent = {
      bytes: media.bytes,
      ...(media.contentType === undefined ? {} : { contentType: media.contentType }),
    };
    return [url, fetched] as const;
  }));
  return new Map(entries);
}
