/**
 * Table tests: images and documents → Converse blocks (issue 3, "Images and documents"),
 * including http(s) image and document (`file.file_url`) URLs the provider fetched.
 */
import assert from "node:assert/strict";
import {
  collectMediaUrls,
  documentName,
  imageFormatFromMime,
  sniffImageFormat,
} from "../../../../../core/providers/bedrock/converse/media.ts";
import { chatRequestSchema } from "../../../../../core/formats/openai/schema.ts";
import { NOVA_MICRO, runRows, TITAN, user } from "../../../converter_helpers.ts";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_B64 = "iVBORw0KGgo=";
const PDF_B64 = "JVBERi0xLjQ="; // "%PDF-1.4"
const PDF = new TextEncoder().encode("%PDF-1.4");

const image = (url: string) => ({ type: "image_url", image_url: { url } });
const text = (t: string) => ({ type: "text", text: t });
const file = (f: Record<string, unknown>) => ({ type: "file", file: f });

Deno.test("media → Converse image and document blocks", async (t) => {
  await runRows(t, [
    {
      name: "data: URL png → image block with decoded bytes",
      request: { messages: [user([text("what?"), image(`data:image/png;base64,${PNG_B64}`)])] },
      expected: {
        messages: [{
          role: "user",
          content: [{ text: "what?" }, { image: { format: "png", source: { bytes: PNG } } }],
        }],
      },
    },
    {
      name: "data: URL jpeg/jpg, gif and webp formats recognised",
      request: {
        messages: [user([
          image(`data:image/jpg;base64,${PNG_B64}`),
          image(`data:image/gif;base64,${PNG_B64}`),
          image(`data:image/webp;base64,${PNG_B64}`),
        ])],
      },
      expected: {
        messages: [{
          role: "user",
          content: (["jpeg", "gif", "webp"] as const).map((format) => ({
            image: { format, source: { bytes: PNG } },
          })),
        }],
      },
    },
    {
      name: "data: URL with an unsupported image type → 400 naming the part",
      request: {
        messages: [
          user("a"),
          assistant("b"),
          user([text("x"), image("data:image/bmp;base64,Qk0=")]),
        ],
      },
      errorParam: "messages[2].content[1].image_url",
    },
    {
      name: "data: URL with invalid base64 → 400 naming the part",
      request: { messages: [user([image("data:image/png;base64,@@@")])] },
      errorParam: "messages[0].content[0].image_url",
    },
    {
      name: "http(s) URL → image block from the media the provider fetched",
      request: { messages: [user([image("https://example.com/cat")])] },
      resolved: new Map([["https://example.com/cat", { bytes: PNG }]]),
      expected: {
        messages: [{
          role: "user",
          content: [{ image: { format: "png", source: { bytes: PNG } } }],
        }],
      },
    },
    {
      name: "http(s) URL fetched with an image content type but unknown bytes → that format",
      request: { messages: [user([image("https://example.com/cat")])] },
      resolved: new Map([["https://example.com/cat", {
        bytes: new Uint8Array([1, 2]),
        contentType: "image/webp",
      }]]),
      expected: {
        messages: [{
          role: "user",
          content: [{ image: { format: "webp", source: { bytes: new Uint8Array([1, 2]) } } }],
        }],
      },
    },
    {
      name: "http(s) URL whose fetched body is not an image → 400 naming the part",
      request: { messages: [user([text("x"), image("https://example.com/page")])] },
      resolved: new Map([["https://example.com/page", {
        bytes: new TextEncoder().encode("<html>"),
        contentType: "text/html",
      }]]),
      errorParam: "messages[0].content[1].image_url",
    },
    {
      name: "http(s) URL that was not fetched → 400 naming the part",
      request: { messages: [user([image("https://example.com/cat.png")])] },
      errorParam: "messages[0].content[0].image_url",
    },
    {
      name: "s3:// URI → image by reference (s3Location)",
      request: { messages: [user([image("s3://bucket/dir/cat.JPG")])] },
      expected: {
        messages: [{
          role: "user",
          content: [{
            image: { format: "jpeg", source: { s3Location: { uri: "s3://bucket/dir/cat.JPG" } } },
          }],
        }],
      },
    },
    {
      name: "s3:// URI without an image extension → 400",
      request: { messages: [user([image("s3://bucket/cat")])] },
      errorParam: "messages[0].content[0].image_url",
    },
    {
      name: "other URL schemes → 400",
      request: { messages: [user([image("ftp://example.com/cat.png")])] },
      errorParam: "messages[0].content[0].image_url",
    },
    {
      name: "image on a model without image input → 400 naming the part",
      model: NOVA_MICRO,
      request: { messages: [user([image(`data:image/png;base64,${PNG_B64}`)])] },
      errorParam: "messages[0].content[0].image_url",
    },
    {
      name: "file part with PDF file_data → document block with a Bedrock-valid name",
      request: {
        messages: [user([
          text("summarise"),
          file({
            file_data: `data:application/pdf;base64,${PDF_B64}`,
            filename: "Q1 report_v2.pdf",
          }),
        ])],
      },
      expected: {
        messages: [{
          role: "user",
          content: [
            { text: "summarise" },
            { document: { format: "pdf", name: "Q1 report-v2", source: { bytes: PDF } } },
          ],
        }],
      },
    },
    {
      name:
        "raw base64 file_data without a data: prefix is read as PDF; duplicate names made unique",
      request: {
        messages: [user([
          file({ file_data: PDF_B64, filename: "a.pdf" }),
          file({ file_data: PDF_B64, filename: "a.pdf" }),
          text("compare"),
        ])],
      },
      expected: {
        messages: [{
          role: "user",
          content: [
            { document: { format: "pdf", name: "a", source: { bytes: PDF } } },
            { document: { format: "pdf", name: "a (2)", source: { bytes: PDF } } },
            { text: "compare" },
          ],
        }],
      },
    },
    {
      name: "file_url fetched as application/pdf → document block named after the URL",
      request: {
        messages: [user([file({ file_url: "https://example.com/docs/Q1%20report.pdf" })])],
      },
      resolved: new Map([["https://example.com/docs/Q1%20report.pdf", {
        bytes: PDF,
        contentType: "application/pdf",
      }]]),
      expected: {
        messages: [{
          role: "user",
          content: [{ document: { format: "pdf", name: "Q1 report", source: { bytes: PDF } } }],
        }],
      },
    },
    {
      name: "file_url: format from the URL's extension, then the filename's, then PDF bytes",
      request: {
        messages: [user([
          file({ file_url: "https://example.com/data.csv?v=2" }),
          file({ file_url: "https://example.com/get?id=1", filename: "notes.md" }),
          file({ file_url: "https://example.com/get?id=2", filename: "Scan" }),
        ])],
      },
      resolved: new Map([
        ["https://example.com/data.csv?v=2", {
          bytes: PDF,
          contentType: "application/octet-stream",
        }],
        ["https://example.com/get?id=1", { bytes: PDF }],
        ["https://example.com/get?id=2", { bytes: PDF }],
      ]),
      expected: {
        messages: [{
          role: "user",
          content: [
            { document: { format: "csv", name: "data", source: { bytes: PDF } } },
            { document: { format: "md", name: "notes", source: { bytes: PDF } } },
            { document: { format: "pdf", name: "Scan", source: { bytes: PDF } } },
          ],
        }],
      },
    },
    {
      name: "file_url of an unsupported type → 400 naming the part",
      request: { messages: [user([text("x"), file({ file_url: "https://example.com/a" })])] },
      resolved: new Map([["https://example.com/a", {
        bytes: new Uint8Array([0x50, 0x4b]),
        contentType: "application/zip",
      }]]),
      errorParam: "messages[0].content[1].file",
    },
    {
      name: "file_url that was not fetched → 400 naming the part",
      request: { messages: [user([file({ file_url: "https://example.com/a.pdf" })])] },
      errorParam: "messages[0].content[0].file",
    },
    {
      name: "file_url that is not http(s) → 400 naming it",
      request: { messages: [user([file({ file_url: "ftp://example.com/a.pdf" })])] },
      errorParam: "messages[0].content[0].file.file_url",
    },
    {
      name: "file part with neither file_data, file_url nor file_id → 400 naming the part",
      request: { messages: [user([file({ filename: "a.pdf" })])] },
      errorParam: "messages[0].content[0].file",
    },
    {
      name: "file part with only file_id → 400 naming it",
      request: { messages: [user([file({ file_id: "file-123" })])] },
      errorParam: "messages[0].content[0].file.file_id",
    },
    {
      name: "file part with an unsupported type → 400 naming file_data",
      request: { messages: [user([file({ file_data: "data:application/zip;base64,UEs=" })])] },
      errorParam: "messages[0].content[0].file.file_data",
    },
    {
      name: "document on a model without document input → 400 naming the part",
      model: NOVA_MICRO,
      request: { messages: [user([file({ file_data: PDF_B64 })])] },
      errorParam: "messages[0].content[0].file",
    },
    {
      name: "audio input part → 400 naming the part",
      model: TITAN,
      request: {
        messages: [user([{ type: "input_audio", input_audio: { data: "AAAA", format: "wav" } }])],
      },
      errorParam: "messages[0].content[0].input_audio",
    },
  ]);
});

function assistant(content: string) {
  return { role: "assistant", content };
}

Deno.test("media helpers", async (t) => {
  await t.step("collectMediaUrls lists http(s) image and file URLs once, no data: or s3://", () => {
    const request = chatRequestSchema.parse({
      model: "m",
      messages: [
        { role: "system", content: "s" },
        user([
          image("https://a.example/1.png"),
          image("data:image/png;base64,AA=="),
          image("s3://b/c.png"),
        ]),
        user([image("HTTP://b.example/2"), image("https://a.example/1.png")]),
        user([
          file({ file_url: "https://c.example/d.pdf" }),
          file({ file_url: "https://a.example/1.png" }),
          file({ file_url: "https://c.example/inline.pdf", file_data: "JVBE" }),
          file({ file_url: "s3://b/d.pdf" }),
        ]),
      ],
    });
    assert.deepStrictEqual(collectMediaUrls(request), [
      "https://a.example/1.png",
      "HTTP://b.example/2",
      "https://c.example/d.pdf",
    ]);
  });
  await t.step("imageFormatFromMime ignores parameters and case", () => {
    assert.equal(imageFormatFromMime("Image/JPEG; q=1"), "jpeg");
    assert.equal(imageFormatFromMime("image/tiff"), undefined);
  });
  await t.step("sniffImageFormat recognises magic numbers", () => {
    assert.equal(sniffImageFormat(PNG), "png");
    assert.equal(sniffImageFormat(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])), "jpeg");
    assert.equal(sniffImageFormat(new TextEncoder().encode("GIF89a")), "gif");
    assert.equal(sniffImageFormat(new TextEncoder().encode("RIFF0000WEBP")), "webp");
    assert.equal(sniffImageFormat(new Uint8Array([1, 2, 3])), undefined);
  });
  await t.step("documentName keeps only characters Bedrock accepts", () => {
    assert.equal(documentName("my  file (1) [x].final.pdf"), "my file (1) [x]-final");
    assert.equal(documentName(undefined), "document");
    assert.equal(documentName("***.pdf"), "---");
  });
});
