/**
 * HTML to readable text with a real parser (`htmlparser2`): scripts, styles and other
 * non-content elements dropped, entities decoded, block elements on their own lines, list items
 * as `- `, the `<title>` first.
 */
import { Parser } from "htmlparser2";
import { decodeText } from "./text.ts";

const SKIPPED = new Set(["script", "style", "noscript", "template", "head", "svg", "iframe"]);
const BLOCKS = new Set([
  "address",
  "article",
  "aside",
  "blockquote",
  "br",
  "dd",
  "div",
  "dl",
  "dt",
  "fieldset",
  "figcaption",
  "figure",
  "footer",
  "form",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "header",
  "hr",
  "li",
  "main",
  "nav",
  "ol",
  "p",
  "pre",
  "section",
  "table",
  "tbody",
  "thead",
  "tfoot",
  "tr",
  "ul",
]);

/**
 * The readable text of an HTML document.
 *
 * @example
 * extractHtml(bytesOf("<title>T</title><script>x()</script><p>Fish &amp; chips</p>"));
 * // "Title: T\n\nFish & chips"
 */
export function extractHtml(bytes: Uint8Array): string {
  let out = "";
  let title = "";
  let skipDepth = 0;
  let inTitle = false;
  const parser = new Parser({
    onopentag(name) {
      if (name === "title") inTitle = true;
      if (SKIPPED.has(name)) skipDepth++;
      if (skipDepth > 0) return;
      if (BLOCKS.has(name)) out += "\n";
      if (name === "li") out += "- ";
      if (name === "td" || name === "th") out += " ";
    },
    ontext(text) {
      if (inTitle) title += text;
      else if (skipDepth === 0) out += text;
    },
    onclosetag(name) {
      if (name === "title") inTitle = false;
      if (SKIPPED.has(name)) skipDepth = Math.max(0, skipDepth - 1);
      else if (skipDepth === 0 && BLOCKS.has(name)) out += "\n";
    },
  }, { decodeEntities: true, lowerCaseTags: true });
  parser.write(decodeText(bytes));
  parser.end();
  const body = out.split("\n")
    .map((line) => line.replace(/[ \t\f\r\u00a0]+/g, " ").trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  const cleanTitle = title.replace(/\s+/g, " ").trim();
  return cleanTitle === "" ? body : `Title: ${cleanTitle}\n\n${body}`;
}
