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
const refName = (schema: unknown): string => {
  const s = obj(schema);
  if (typeof s.$ref === "string") return s.$ref.split("/").pop() ?? "";
  const alternatives = (s.oneOf ?? s.anyOf) as unknown[] | undefined;
  if (Array.isArray(alternatives)) return alternatives.map(refName).join(" | ");
  return typeof s.type === "string" ? s.type : "object";
};

function curlExample(method: string, path: string, op: Json): string {
  const secured = !Array.isArray(op.security) || op.security.length > 0;
  const url = path.replace(/\{(\w+)\}/g, (_, name: string) => `<${name}>`);
  const parts = [
    `curl${method === "get" ? "" : ` -X ${method.toUpperCase()}`} "$GATEWAY_URL${url}"`,
  ];
  if (secured) parts.push(`-H "authorization: Bearer $API_KEY"`);
  const body = obj(obj(op.requestBody).content);
  const jsonBody = obj(body["application/json"]);
  if (jsonBody.example !== undefined) {
    parts.push(`-H "content-type: application/json"`);
    parts.push(`-d '${JSON.stringify(jsonBody.example)}'`);
  } else if (body["application/json"] !== undefined) {
    parts.push(`-H "content-type: application/json" -d '{…}'`);
  } else if (body["multipart/form-data"] !== undefined) {
    parts.push(`-F purpose=assistants -F file=@notes.txt`);
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
          `<li><code>${escapeHtml(type)}</code>: ${escapeHtml(refName(obj(media).schema))}</li>`
        ).join("")
      }</ul>`
  }<h4>Responses</h4><ul>${responses.join("")}</ul>
<pre>${escapeHtml(curlExample(method, path, op))}</pre>
</section>`;
}

function renderSchema(name: string, schema: Json): string {
  const props = Object.entries(obj(schema.properties)).map(([key, value]) =>
    `<code>${escapeHtml(key)}</code>: ${escapeHtml(refName(value))}`
  );
  return `<li id="schema-${escapeHtml(name)}"><b>${escapeHtml(name)}</b>${
    schema.description ? ` — ${escapeHtml(text(schema.description))}` : ""
  }${props.length ? `<br>${props.join(", ")}` : ""}</li>`;
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
<p>In the examples, <code>$GATEWAY_URL</code> is this server's address and <code>$API_KEY</code>
one of its client keys (omit the header when API_KEY is unset).</p>
<nav>${nav.join("\n")}</nav>
<h2>Endpoints</h2>
${ops.join("\n")}
<h2>Schemas</h2>
<ul>${schemas.join("\n")}</ul>
</body></html>
`;
}
