/**
 * JSON: an outline of the structure (types, keys, array lengths; bounded depth and width) and
 * the pretty-printed document, cut at a character budget. Malformed JSON is given raw after a
 * short note.
 */
import { decodeText } from "./text.ts";

const MAX_DEPTH = 4;
const MAX_KEYS = 40;

/**
 * Outline plus pretty print of a JSON file, at most about `maxChars` characters.
 *
 * @example
 * extractJson(bytesOf('{"a":[1,2]}'), 1000);
 * // 'JSON outline:\n(root): object, 1 key\n  a: array, 2 items\n    [0]: number\n\nJSON:\n{\n  "a": [...'
 */
export function extractJson(bytes: Uint8Array, maxChars: number): string {
  const text = decodeText(bytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return `Note: this file is not valid JSON; its raw text follows.\n${text}`;
  }
  const outline: string[] = [];
  outlineOf(value, "(root)", 0, outline);
  const pretty = JSON.stringify(value, null, 2) ?? "null";
  const head = `JSON outline:\n${outline.join("\n")}\n\nJSON:\n`;
  const budget = Math.max(0, maxChars - head.length);
  return head + (pretty.length > budget ? pretty.slice(0, budget) : pretty);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) {
    return `array, ${value.length} ${value.length === 1 ? "item" : "items"}`;
  }
  if (typeof value === "object") {
    const n = Object.keys(value as object).length;
    return `object, ${n} ${n === 1 ? "key" : "keys"}`;
  }
  return typeof value;
}

function outlineOf(value: unknown, label: string, depth: number, out: string[]): void {
  const indent = "  ".repeat(depth);
  out.push(`${indent}${label}: ${describe(value)}`);
  if (depth >= MAX_DEPTH || value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    if (value.length > 0) outlineOf(value[0], "[0]", depth + 1, out);
    return;
  }
  const keys = Object.keys(value);
  for (const key of keys.slice(0, MAX_KEYS)) {
    outlineOf((value as Record<string, unknown>)[key], key, depth + 1, out);
  }
  if (keys.length > MAX_KEYS) out.push(`${indent}  … ${keys.length - MAX_KEYS} more keys`);
}
