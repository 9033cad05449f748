import assert from "node:assert/strict";
import { extractFile } from "../../../core/files/extract/extract.ts";
import { detectKind, kindOfFilename, kindOfMime } from "../../../core/files/extract/detect.ts";
import { decodeText } from "../../../core/files/extract/text.ts";

const FIXTURES = new URL("../../fixtures/files/", import.meta.url);
const fixture = (name: string) => Deno.readFileSync(new URL(name, FIXTURES));
const extract = (name: string, contentType = "application/octet-stream", maxChars = 200_000) =>
  extractFile({ filename: name, contentType }, fixture(name), maxChars);

Deno.test("extract: PDF text with unpdf, pages marked", async () => {
  const { kind, text } = await extract("report.pdf", "application/pdf");
  assert.equal(kind, "pdf");
  assert.equal(
    text,
    "--- page 1 of 1 ---\nQuarterly report: revenue grew 12 percent.\nSecond line of the sample PDF.",
  );
});

Deno.test("extract: a damaged PDF is a short note, not an error message", async () => {
  const bytes = fixture("report.pdf").slice(0, 200);
  const { kind, text } = await extractFile(
    { filename: "x.pdf", contentType: "application/pdf" },
    bytes,
    1000,
  );
  assert.equal(kind, "pdf");
  assert.equal(text, "Note: this PDF could not be read (it may be damaged or encrypted).");
});

Deno.test("extract: CSV with quoted commas, quotes and line breaks (RFC 4180)", async () => {
  const { kind, text } = await extract("people.csv", "text/csv; charset=utf-8");
  assert.equal(kind, "csv");
  assert.equal(
    text,
    [
      "CSV: 3 rows, 3 columns",
      "Columns: name, city, note",
      "Rows:",
      `1. {"name":"Ann Lee","city":"Paris, FR","note":"said \\"hi\\"\\nthen left"}`,
      `2. {"name":"Bob","city":"Oslo","note":"plain"}`,
      `3. {"name":"Chen, Wei","city":"Lyon","note":"a,b,c"}`,
    ].join("\n"),
  );
});

Deno.test("extract: CSV shows the first 100 rows of many, and the count", async () => {
  const csv = "n,sq\n" + Array.from({ length: 250 }, (_, i) => `${i},${i * i}`).join("\n");
  const { text } = await extractFile(
    { filename: "n.csv", contentType: "" },
    new TextEncoder().encode(csv),
    1e6,
  );
  assert.match(text, /^CSV: 250 rows, 2 columns\nColumns: n, sq\nRows \(first 100 of 250\):\n/);
  assert.match(text, /\n100\. \{"n":"99","sq":"9801"\}$/);
});

Deno.test("extract: invalid CSV falls back to raw text after a note", async () => {
  const { text } = await extractFile(
    { filename: "bad.csv", contentType: "text/csv" },
    new TextEncoder().encode('a,b\n"unterminated,1\n'),
    1000,
  );
  assert.equal(
    text,
    'Note: this file could not be parsed as CSV; its raw text follows.\na,b\n"unterminated,1\n',
  );
});

Deno.test("extract: JSON outline and pretty print", async () => {
  const { kind, text } = await extract("config.json");
  assert.equal(kind, "json");
  assert.equal(
    text,
    [
      "JSON outline:",
      "(root): object, 4 keys",
      "  service: string",
      "  version: number",
      "  regions: array, 2 items",
      "    [0]: object, 2 keys",
      "      id: string",
      "      zones: number",
      "  enabled: boolean",
      "",
      "JSON:",
      JSON.stringify(JSON.parse(new TextDecoder().decode(fixture("config.json"))), null, 2),
    ].join("\n"),
  );
});

Deno.test("extract: JSON pretty print is cut at the budget", async () => {
  const { text } = await extract("config.json", "application/json", 200);
  assert.equal(text.length, 200);
  assert.ok(text.startsWith("JSON outline:"));
});

Deno.test("extract: malformed JSON → note + raw text", async () => {
  const { kind, text } = await extract("broken.json", "application/json");
  assert.equal(kind, "json");
  assert.equal(
    text,
    'Note: this file is not valid JSON; its raw text follows.\n{"name": "demo", "items": [1, 2,, 3]\n',
  );
});

Deno.test("extract: HTML to readable text — scripts and styles dropped, entities decoded", async () => {
  const { kind, text } = await extract("page.html");
  assert.equal(kind, "html");
  assert.equal(
    text,
    "Title: Fish & Chips Guide\n\nBest shops\n\nPrices in € — checked <weekly>.\n\n- North pier\n\n- Old town\n\nOpen daily.",
  );
  assert.doesNotMatch(text, /secret|hidden|color/);
});

Deno.test("extract: XML outline and text", async () => {
  const { kind, text } = await extract("catalog.xml", "application/xml");
  assert.equal(kind, "xml");
  assert.equal(
    text,
    [
      "XML outline (element ×count [attributes]):",
      "catalog [xmlns]",
      "  book ×2 [id, lang]",
      "    title ×2",
      "    price ×2 [currency]",
      "",
      "Text:",
      "Rivers & Roads",
      "12.50",
      "Quiet Hills",
      "9.00",
    ].join("\n"),
  );
});

Deno.test("extract: latin-1 text falls back from UTF-8", async () => {
  const { kind, text } = await extract("latin1.txt", "text/plain; charset=iso-8859-1");
  assert.equal(kind, "text");
  assert.equal(text, "Café crème brûlée © 2024\nSecond line ½ price\n");
});

Deno.test("extract: UTF-8 with BOM and UTF-16 decode", () => {
  assert.equal(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0xc3, 0xa9])), "hé");
  assert.equal(decodeText(new Uint8Array([0xff, 0xfe, 0x68, 0x00, 0xe9, 0x00])), "hé");
});

Deno.test("extract: Markdown and a huge single line come through as text", async () => {
  const md = await extract("notes.md");
  assert.equal(md.kind, "text");
  assert.equal(md.text, new TextDecoder().decode(fixture("notes.md")));
  const huge = await extract("huge_line.txt", "text/plain");
  assert.equal(huge.kind, "text");
  assert.equal(huge.text.length, fixture("huge_line.txt").length);
  assert.ok(huge.text.startsWith("START ") && huge.text.endsWith(" END"));
  assert.ok(!huge.text.includes("\n"));
});

Deno.test("extract: a binary file is a short 'not extractable' note", async () => {
  const { kind, text } = await extract("pixel.png", "image/png");
  assert.equal(kind, "unsupported");
  assert.equal(text, "Note: this file (image/png) is not a text format the gateway can extract.");
});

Deno.test("detect: MIME (params ignored), then extension, then content", async (t) => {
  const rows: Array<
    { name: string; file: [string, string]; bytes: string | Uint8Array; kind: string }
  > = [
    {
      name: "MIME with charset wins over extension",
      file: ["text/csv; charset=utf-8", "a.txt"],
      bytes: "a,b",
      kind: "csv",
    },
    { name: "+json suffix", file: ["application/vnd.api+json", "a"], bytes: "{}", kind: "json" },
    { name: "+xml suffix", file: ["application/atom+xml", "a"], bytes: "<a/>", kind: "xml" },
    {
      name: "octet-stream → extension",
      file: ["application/octet-stream", "data.TSV"],
      bytes: "a\tb",
      kind: "tsv",
    },
    {
      name: "no MIME → extension (source code)",
      file: ["", "main.py"],
      bytes: "print(1)",
      kind: "text",
    },
    {
      name: "no hints → sniffed PDF",
      file: ["", "upload"],
      bytes: fixture("report.pdf"),
      kind: "pdf",
    },
    {
      name: "no hints → sniffed PNG",
      file: ["", "upload"],
      bytes: fixture("pixel.png"),
      kind: "unsupported",
    },
    { name: "no hints → leading { is JSON", file: ["", "upload"], bytes: ' {"a":1}', kind: "json" },
    {
      name: "no hints → <?xml",
      file: ["", "upload"],
      bytes: "<?xml version='1.0'?><a/>",
      kind: "xml",
    },
    {
      name: "no hints → doctype html",
      file: ["", "upload"],
      bytes: "<!DOCTYPE html><p>x",
      kind: "html",
    },
    { name: "no hints → text", file: ["", "upload"], bytes: "just words", kind: "text" },
    {
      name: "claimed text but bytes are a PDF",
      file: ["text/plain", "a.txt"],
      bytes: fixture("report.pdf"),
      kind: "pdf",
    },
    {
      name: "claimed text but binary bytes",
      file: ["text/plain", "a.txt"],
      bytes: new Uint8Array([1, 0, 2, 0]),
      kind: "unsupported",
    },
  ];
  for (const row of rows) {
    await t.step(row.name, async () => {
      const bytes = typeof row.bytes === "string" ? new TextEncoder().encode(row.bytes) : row.bytes;
      assert.equal(
        await detectKind({ contentType: row.file[0], filename: row.file[1] }, bytes),
        row.kind,
      );
    });
  }
  assert.equal(kindOfMime("TEXT/HTML; charset=utf-8"), "html");
  assert.equal(kindOfMime("application/zip"), undefined);
  assert.equal(kindOfFilename("dir/report.PDF"), "pdf");
  assert.equal(kindOfFilename("archive.zip"), undefined);
});
