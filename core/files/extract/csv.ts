/**
 * CSV (RFC 4180, parsed with `csv-parse`: quoted commas, quotes and line breaks): the column
 * headers, the row count and the first rows, one JSON object per row. Text that is not valid
 * CSV is given raw after a short note.
 */
import { parse } from "csv-parse/sync";
import { decodeText } from "./text.ts";

/** How many data rows are shown. */
export const CSV_MAX_ROWS = 100;

/**
 * Summarises a CSV (or, with `delimiter: "\t"`, TSV) file.
 *
 * @example
 * extractCsv(bytesOf('name,city\n"Ann","Paris, FR"\n'));
 * // 'CSV: 1 row, 2 columns\nColumns: name, city\nRows:\n1. {"name":"Ann","city":"Paris, FR"}'
 */
export function extractCsv(bytes: Uint8Array, delimiter = ","): string {
  const text = decodeText(bytes);
  let records: string[][];
  try {
    records = parse(text, {
      delimiter,
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as string[][];
  } catch {
    return `Note: this file could not be parsed as CSV; its raw text follows.\n${text}`;
  }
  if (records.length === 0) return "CSV: empty file (no header, no rows)";
  const header = uniqueNames(records[0]);
  const rows = records.slice(1);
  const lines = [
    `CSV: ${rows.length} ${rows.length === 1 ? "row" : "rows"}, ${header.length} ${
      header.length === 1 ? "column" : "columns"
    }`,
    `Columns: ${header.join(", ")}`,
  ];
  if (rows.length > 0) {
    const shown = rows.slice(0, CSV_MAX_ROWS);
    lines.push(
      shown.length < rows.length ? `Rows (first ${shown.length} of ${rows.length}):` : "Rows:",
    );
    shown.forEach((row, i) => lines.push(`${i + 1}. ${JSON.stringify(rowObject(header, row))}`));
  }
  return lines.join("\n");
}

/** Header names made unique (`a`, `a_2`) and never empty (`column_3`). */
function uniqueNames(header: string[]): string[] {
  const seen = new Map<string, number>();
  return header.map((raw, i) => {
    const name = raw.trim() === "" ? `column_${i + 1}` : raw.trim();
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : `${name}_${count}`;
  });
}

function rowObject(header: string[], row: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  row.forEach((value, i) => (out[header[i] ?? `column_${i + 1}`] = value));
  return out;
}
