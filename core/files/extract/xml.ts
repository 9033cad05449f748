/**
 * XML: an outline of the element tree (each distinct path once, with its count and attribute
 * names; bounded) and the document's text content, parsed with `htmlparser2` in XML mode.
 */
import { Parser } from "htmlparser2";
import { decodeText } from "./text.ts";

const MAX_OUTLINE_NODES = 200;
const MAX_DEPTH = 12;

interface Node {
  name: string;
  count: number;
  attributes: Set<string>;
  children: Map<string, Node>;
}

const node = (name: string): Node => ({
  name,
  count: 0,
  attributes: new Set(),
  children: new Map(),
});

/**
 * The outline and text of an XML document.
 *
 * @example
 * extractXml(bytesOf("<a><b id='1'>x</b><b>y</b></a>"));
 * // "XML outline (element ×count [attributes]):\na\n  b ×2 [id]\n\nText:\nx\ny"
 */
export function extractXml(bytes: Uint8Array): string {
  const root = node("");
  const stack: Node[] = [root];
  const texts: string[] = [];
  let pending = ""; // text arrives in pieces (e.g. around entities): flush at each tag
  const flush = () => {
    const trimmed = pending.trim();
    if (trimmed !== "") texts.push(trimmed);
    pending = "";
  };
  const parser = new Parser({
    onopentag(name, attributes) {
      flush();
      const parent = stack[stack.length - 1];
      let child = parent.children.get(name);
      if (child === undefined) parent.children.set(name, child = node(name));
      child.count++;
      for (const attribute of Object.keys(attributes)) child.attributes.add(attribute);
      stack.push(child);
    },
    ontext(text) {
      pending += text;
    },
    onclosetag() {
      flush();
      if (stack.length > 1) stack.pop();
    },
  }, { xmlMode: true, decodeEntities: true });
  parser.write(decodeText(bytes));
  parser.end();
  flush();
  const lines: string[] = [];
  const walk = (n: Node, depth: number) => {
    for (const child of n.children.values()) {
      if (lines.length >= MAX_OUTLINE_NODES) return;
      const count = child.count > 1 ? ` ×${child.count}` : "";
      const attributes = child.attributes.size > 0 ? ` [${[...child.attributes].join(", ")}]` : "";
      lines.push(`${"  ".repeat(depth)}${child.name}${count}${attributes}`);
      if (depth < MAX_DEPTH) walk(child, depth + 1);
    }
  };
  walk(root, 0);
  if (lines.length >= MAX_OUTLINE_NODES) lines.push("… (outline cut)");
  return `XML outline (element ×count [attributes]):\n${lines.join("\n")}\n\nText:\n${
    texts.join("\n")
  }`;
}
