/**
 * How canonical reasoning blocks travel in a Responses `reasoning` item's `encrypted_content`,
 * which the Responses API defines as opaque: a Claude thinking signature is written
 * `sig:<signature>`, redacted thinking `redacted:<base64 data>`. An OpenAI blob (base64, no
 * colon) never looks like either, so a replayed item is recognised as the gateway's or not.
 */
import type { ReasoningDetail } from "../openai/schema.ts";

const SIG = "sig:";
const REDACTED = "redacted:";

/**
 * The `encrypted_content` for one reasoning block, or undefined when it has nothing to keep.
 *
 * @example
 * encryptedContentOf({ type: "reasoning.text", text: "hmm", signature: "abc" }); // "sig:abc"
 */
export function encryptedContentOf(detail: ReasoningDetail): string | undefined {
  switch (detail.type) {
    case "reasoning.text":
      return typeof detail.signature === "string" && detail.signature !== ""
        ? SIG + detail.signature
        : undefined;
    case "reasoning.encrypted":
      return REDACTED + detail.data;
    default:
      return assertNever(detail);
  }
}

/**
 * A replayed reasoning item (its summary or content text and `encrypted_content`) → the
 * canonical block: signed text, redacted data, or unsigned text (another provider's blob is not
 * carried over).
 *
 * @example
 * detailOfItem("hmm", "sig:abc"); // { type: "reasoning.text", text: "hmm", signature: "abc" }
 */
export function detailOfItem(text: string, encrypted: string | null | undefined): ReasoningDetail {
  if (typeof encrypted === "string" && encrypted.startsWith(REDACTED)) {
    return { type: "reasoning.encrypted", data: encrypted.slice(REDACTED.length) };
  }
  if (typeof encrypted === "string" && encrypted.startsWith(SIG)) {
    return { type: "reasoning.text", text, signature: encrypted.slice(SIG.length) };
  }
  return { type: "reasoning.text", text };
}

function assertNever(value: never): never {
  throw new Error(`unexpected reasoning block ${JSON.stringify(value)}`);
}
