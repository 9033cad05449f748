/**
 * Renders the OpenAPI document as one self-contained HTML page for `GET /docs`: inline CSS, no
 * scripts, nothing loaded from elsewhere (the route also sends a CSP that forbids it).
 */

type Json = Record<string, unknown>;

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

/**
 * Escapes text for HTML element content and attribute values.
 *
 * @example
 * escapeHtml('<a href="x">'); // "&lt;a href=&quot;x&quot;&gt;"
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const obj = (value: unknown): Json =>
  typeof value === "object" && value !== null ? value as Json : {};
const text = (value: unknown): string => typeof value === "string" ? value : "";
const refName = (ref: string): string => ref.split("/").pop() ?? "";

/**
 * A schema as a short type expression: `$ref`s by name, enums and constants by value, arrays as
 * `T[]`, alternatives joined with `|`, ranges and lengths in brackets.
 *
 * @example
 * typeText({ anyOf: [{ type: "number", minimum: 0, maximum: 2 }, { type: "null" }] }); // "number [0…2] | null"
 */
export function typeText(schema: unknown): string {
  const s = obj(schema);
  if (typeof s.$ref === "string") return refName(s.$ref);
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  const alternatives = (s.oneOf ?? s.anyOf) as unknown[] | undefined;
  if (Array.isArray(alternatives)) return alternatives.map(typeText).join(" | ");
  const types = Array.isArray(s.type) ? s.type.join(" | ") : text(s.type);
  if (types === "array") return `${typeText(s.items)}[]${bounds(s.minItems, s.maxItems)}`;
  if (types === "object" && s.properties === undefined && obj(s.additionalProperties).type) {
    return `map of ${typeText(s.additionalProperties)}`;
  }
  const range = bounds(
    s.minimum ?? s.exclusiveMinimum,
    s.maximum,
    s.exclusiveMinimum !== undefined,
  );
  const length = bounds(s.minLength, s.maxLength);
  const pattern = typeof s.pattern === "string" ? ` /${s.pattern}/` : "";
  return `${types || "any"}${range}${length}${pattern}`;
}

/** ` [min…max]` for the bounds that are set (large JavaScript safe-integer limits omitted). */
function bounds(min: unknown, max: unknown, exclusiveMin = false): string {
  const shown = (v: unknown) =>
    typeof v === "number" && Math.abs(v) < Number.MAX_SAFE_INTEGER ? String(v) : "";
  const lo = shown(min);
  const hi = shown(max);
  if (lo === "" && hi === "") return "";
  return ` [${exclusiveMin && lo !== "" ? ">" : ""}${lo}…${hi}]`;
}

/** The object schemas a schema's alternatives or items are made of, for nested rendering. */
function nestedObjects(schema: unknown): Json[] {
  const s = obj(schema);
  if (s.properties !== undefined) return [s];
  if (s.items !== undefined) return nestedObjects(s.items);
  const alternatives = (s.oneOf ?? s.anyOf) as unknown[] | undefined;
  return Array.isArray(alternatives) ? alternatives.flatMap(nestedObjects) : [];
}

/** {@link typeText} as HTML, each referenced schema name a link to its entry. */
function linkedTypeText(schema: Json): string {
  const refs = [...JSON.stringify(schema).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => refName(m[1]));
  const html = escapeHtml(typeText(schema));
  if (refs.length === 0) return html;
  return html.replace(
    new RegExp(`\\b(${[...new Set(refs)].join("|")})\\b`, "g"),
    '<a href="#schema-$1">$1</a>',
  );
}

/** A property list, nested objects indented below their property (to `depth` levels). */
function renderProperties(schema: Json, depth: number): string {
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const rows = Object.entries(obj(schema.properties)).map(([key, value]) => {
    const v = obj(value);
    const type = linkedTypeText(v);
    const nested = depth > 0
      ? nestedObjects(v).map((o) => renderProperties(o, depth - 1)).join("")
      : "";
    return `<li><code>${escapeHtml(key)}</code>${required.has(key) ? " (required)" : ""}: ${type}${
      v.description ? ` — ${escapeHtml(text(v.description))}` : ""
    }${nested}</li>`;
  });
  return rows.length === 0 ? "" : `<ul>${rows.join("")}</ul>`;
}

/** Shell-quotes `value` in single quotes. */
const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * The curl command of an operation, built from its examples so that it runs as written:
 * `$GATEWAY_URL` is the server, `$API_KEY` a client key, and path parameters take their
 * `example` (which may itself be a shell variable such as `$FILE_ID`).
 */
export function curlExample(method: string, path: string, op: Json): string {
  const secured = !Array.isArray(op.security) || op.security.length > 0;
  const params = (Array.isArray(op.parameters) ? op.parameters : []).map(obj);
  const url = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const example = params.find((p) => p.name === name && p.in === "path")?.example;
    return typeof example === "string" ? example : `<${name}>`;
  });
  const body = obj(obj(op.requestBody).content);
  const multipart = obj(body["multipart/form-data"]);
  const upload = obj(multipart.example);
  const prefix = typeof upload.file === "string" ? `printf 'hello\\n' | ` : "";
  const parts = [
    `${prefix}curl${method === "get" ? "" : ` -X ${method.toUpperCase()}`} "$GATEWAY_URL${url}"`,
  ];
  if (secured) parts.push(`-H "authorization: Bearer $API_KEY"`);
  const jsonBody = obj(body["application/json"]);
  if (jsonBody.example !== undefined) {
    parts.push(`-H "content-type: application/json"`);
    parts.push(`-d ${shellQuote(JSON.stringify(jsonBody.example))}`);
  } else if (typeof upload.file === "string") {
    for (const [field, value] of Object.entries(upload)) {
      if (field !== "file") parts.push(`-F ${shellQuote(`${field}=${String(value)}`)}`);
    }
    parts.push(`-F ${shellQuote(`file=@-;filename=${upload.file}`)}`);
  }
  return parts.join(" \\\n  ");
}

function renderOperation(method: string, path: string, op: Json): string {
  const params = (Array.isArray(op.parameters) ? op.parameters : []).map(obj);
  const content = obj(obj(op.requestBody).content);
  const responses = Object.entries(obj(op.responses)).map(([status, r]) => {
    const response = obj(r);
    const ref = text(response.$ref).split("/").pop() ?? "";
    return `<li><code>${escapeHtml(status)}</code> ${
      escapeHtml(text(response.description) || ref.replace(/^E/, "error "))
    }</li>`;
  });
  return `<section class="op" id="${escapeHtml(`${method}-${path}`)}">
<h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>
<p>${escapeHtml(text(op.summary))}</p>${
    op.description ? `\n<p class="d">${escapeHtml(text(op.description))}</p>` : ""
  }
${
    params.length === 0
      ? ""
      : `<h4>Parameters</h4><ul>${
        params.map((p) =>
          `<li><code>${escapeHtml(text(p.name))}</code> (${escapeHtml(text(p.in))}${
            p.required ? ", required" : ""
          }) ${escapeHtml(text(p.description))}</li>`
        ).join("")
      }</ul>`
  }${
    Object.keys(content).length === 0
      ? ""
      : `<h4>Request body</h4><ul>${
        Object.entries(content).map(([type, media]) =>
          `<li><code>${escapeHtml(type)}</code>: ${escapeHtml(typeText(obj(media).schema))}</li>`
        ).join("")
      }</ul>`
  }<h4>Responses</h4><ul>${responses.join("")}</ul>
<pre>${escapeHtml(curlExample(method, path, op))}</pre>
</section>`;
}

function renderSchema(name: string, schema: Json): string {
  const shape = schema.properties === undefined ? `: ${linkedTypeText(schema)}` : "";
  return `<li id="schema-${escapeHtml(name)}"><b>${escapeHtml(name)}</b>${shape}${
    schema.description ? ` — ${escapeHtml(text(schema.description))}` : ""
  }${renderProperties(schema, 2)}</li>`;
}

const CSS =
  `body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#1d1f23;background:#fff}h1{margin-bottom:0}code,pre{font-family:ui-monospace,monospace}
pre{background:#f3f4f6;padding:.6rem;overflow-x:auto;border-radius:4px}.op{border-top:1px solid
#ddd;padding:.4rem 0}.op h3{margin:.4rem 0}.op h4{margin:.4rem 0 .1rem;font-size:.9rem}.d{color:#555}
.m{display:inline-block;min-width:4rem;text-align:center;border-radius:3px;color:#fff;font-size:.8rem;
padding:.1rem .3rem}.get{background:#2563eb}.post{background:#16a34a}.delete{background:#dc2626}
.put,.patch{background:#ca8a04}nav a{margin-right:.8rem}`;

/**
 * The documentation page for an OpenAPI document: every path and method with parameters,
 * request body, responses and a curl example, then the schemas.
 *
 * @example
 * renderDocsPage(OPENAPI).startsWith("<!doctype html>"); // true
 */
export function renderDocsPage(spec: Json): string {
  const info = obj(spec.info);
  const ops: string[] = [];
  const nav: string[] = [];
  for (const [path, item] of Object.entries(obj(spec.paths))) {
    for (const method of METHODS) {
      const op = obj(item)[method];
      if (op === undefined) continue;
      ops.push(renderOperation(method, path, obj(op)));
      nav.push(
        `<a href="#${escapeHtml(`${method}-${path}`)}">${method.toUpperCase()} ${
          escapeHtml(path)
        }</a>`,
      );
    }
  }
  const schemas = Object.entries(obj(obj(spec.components).schemas))
    .map(([name, schema]) => renderSchema(name, obj(schema)));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(text(info.title))} — API documentation</title>
<style>${CSS}</style></head><body>
<h1>${escapeHtml(text(info.title))}</h1><p>Version ${escapeHtml(text(info.version))} ·
<a href="/openapi.json">OpenAPI document</a></p>
<p>${escapeHtml(text(info.description))}</p>
<p>The examples run as written in a POSIX shell once <code>GATEWAY_URL</code> is this server's
address (scheme, host and port) and <code>API_KEY</code> one
of its client keys (any value when API_KEY is unset); <code>FILE_ID</code> is the
<code>id</code> an upload returned.</p>
<nav>${nav.join("\n")}</nav>
<h2>Endpoints</h2>
${ops.join("\n")}
<h2>Schemas</h2>
<ul>${schemas.join("\n")}</ul>
</body></html>
`;
}
