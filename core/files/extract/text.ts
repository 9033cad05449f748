/**
 * Plain text, Markdown and source code: bytes decoded as UTF-8 (a BOM, including UTF-16's, is
 * honoured), falling back to latin-1 (windows-1252) when the bytes are not valid UTF-8.
 */

/**
 * Decodes text bytes.
 *
 * @example
 * decodeText(new Uint8Array([0x63, 0x61, 0x66, 0xe9])); // "café" (latin-1 fallback)
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder("latin1").decode(bytes);
  }
}

/** The extracted text of a plain-text file: its decoded content. */
export function extractPlainText(bytes: Uint8Array): string {
  return decodeText(bytes);
}
