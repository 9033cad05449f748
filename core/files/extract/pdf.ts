/**
 * PDF: the text of every page, extracted with `unpdf` (pdf.js), pages marked. A PDF that cannot
 * be read (damaged, encrypted) or holds no text (scanned images) gets a short note instead —
 * never the parser's error message.
 */
import { extractText, getDocumentProxy } from "unpdf";

/**
 * The text of a PDF, page by page.
 *
 * @example
 * await extractPdf(pdfBytes); // "--- page 1 of 1 ---\nQuarterly report…"
 */
export async function extractPdf(bytes: Uint8Array): Promise<string> {
  let pages: string[];
  try {
    // pdf.js may detach the buffer it is given: hand it a copy.
    const document = await getDocumentProxy(bytes.slice());
    try {
      pages = (await extractText(document, { mergePages: false })).text;
    } finally {
      await document.loadingTask.destroy();
    }
  } catch {
    return "Note: this PDF could not be read (it may be damaged or encrypted).";
  }
  if (pages.every((page) => page.trim() === "")) {
    return "Note: this PDF contains no extractable text (it may be scanned images).";
  }
  return pages.map((page, i) => `--- page ${i + 1} of ${pages.length} ---\n${page.trim()}`)
    .join("\n\n");
}
