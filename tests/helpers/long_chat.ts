/**
 * A chat request of about 2 MB, as a long conversation sends it: a history of user and
 * assistant turns, then a user message in OpenAI's content-part form with a text part and a
 * base64 PNG `image_url` part. Deterministic, so a test can compare what arrived.
 */
import { Buffer } from "node:buffer";

/** A long conversation. */
export interface LongChat {
  messages: Array<{ role: "user" | "assistant"; content: unknown }>;
  /** The text part of the last user message (what `mock-echo` answers). */
  lastText: string;
  /** The image's data URL. */
  imageUrl: string;
  /** Words in all messages' text, as the mock counts prompt tokens. */
  words: number;
  /** Bytes of `JSON.stringify(messages)`. */
  bytes: number;
}

/** Deterministic bytes (xorshift), so runs compare equal. */
function pseudoRandomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = 2463534242;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Builds the conversation: `turns` user/assistant pairs of `wordsPerTurn` words, then the image
 * (`imageBytes` raw bytes) with a question. The defaults make about 2.1 MB.
 */
export function longChat(
  { turns = 85, wordsPerTurn = 1_000, imageBytes = 600_000 } = {},
): LongChat {
  const messages: LongChat["messages"] = [];
  let words = 0;
  for (let t = 0; t < turns; t++) {
    for (const role of ["user", "assistant"] as const) {
      const text = Array.from({ length: wordsPerTurn }, (_, w) => `${role[0]}${t}w${w}`).join(" ");
      messages.push({ role, content: text });
      words += wordsPerTurn;
    }
  }
  const image = pseudoRandomBytes(imageBytes);
  image.set(PNG_SIGNATURE);
  const imageUrl = `data:image/png;base64,${Buffer.from(image).toString("base64")}`;
  const lastText = "What does this picture show, after all that?";
  messages.push({
    role: "user",
    content: [
      { type: "text", text: lastText },
      { type: "image_url", image_url: { url: imageUrl, detail: "low" } },
    ],
  });
  words += lastText.split(" ").length;
  return { messages, lastText, imageUrl, words, bytes: JSON.stringify(messages).length };
}
