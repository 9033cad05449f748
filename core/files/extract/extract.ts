/**
 * Text extraction from a stored file (SPEC §4): detect the kind, run that kind's extractor. The
 * result is plain text for the model; failures become short notes, never error messages.
 */
import { extractCsv } from "./csv.ts";
import { detectKind, type FileKind } from "./detect.ts";
import { extractHtml } from "./html.ts";
import { extractJson } from "./json.ts";
import { extractPdf } from "./pdf.ts";
import { extractPlainText } from "./text.ts";
import { extractXml } from "./xml.ts";

/** What extraction produced. */
export interface Extraction {
  kind: FileKind;
  text: string;
}

/** Extracts the text of one file (signature of the injectable extractor). */
export type Extractor = (
  file: { contentType: string; filename: string },
  bytes: Uint8Array,
  maxChars: number,
) => Promise<Extraction>;

/**
 * The gateway's extractor: by detected kind; `maxChars` bounds the work on large documents.
 *
 * @example
 * await extractFile({ contentType: "text/csv", filename: "a.csv" }, bytes, 200_000);
 * // { kind: "csv", text: "CSV: 2 rows, 3 columns\n…" }
 */
export const extractFile: Extractor = async (file, bytes, maxChars) => {
  const kind = await detectKind(file, bytes);
  return { kind, text: await extractKind(kind, file.contentType, bytes, maxChars) };
};

async function extractKind(
  kind: FileKind,
  contentType: string,
  bytes: Uint8Array,
  maxChars: number,
): Promise<string> {
  try {
    switch (kind) {
      case "text":
        return extractPlainText(bytes);
      case "csv":
        return extractCsv(bytes);
      case "tsv":
        return extractCsv(bytes, "\t");
      case "json":
        return extractJson(bytes, maxChars);
      case "html":
        return extractHtml(bytes);
      case "xml":
        return extractXml(bytes);
      case "pdf":
        return await extractPdf(bytes);
      case "unsupported":
        return unsupported(contentType);
      default: {
        const unhandled: never = kind;
        return unhandled;
      }
    }
  } catch {
    return `Note: the text of this file could not be extracted.`;
  }
}

function unsupported(contentType: string): string {
  const mime = contentType.split(";")[0].trim() || "unknown type";
  return `Note: this file (${mime}) is not a text format the gateway can extract.`;
}
