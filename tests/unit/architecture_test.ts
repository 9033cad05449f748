/**
 * Enforces ARCHITECTURE.md's dependency rule: core/ imports nothing from server/, routers/ or
 * cli/, and reads no Deno.env.
 */
import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url);

async function* tsFiles(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* tsFiles(url);
    else if (entry.name.endsWith(".ts")) yield url;
  }
}

Deno.test("core/ does not import transports or read Deno.env", async () => {
  const offenders: string[] = [];
  let files = 0;
  for await (const file of tsFiles(new URL("core/", root))) {
    files++;
    const source = await Deno.readTextFile(file);
    const rel = file.pathname.slice(root.pathname.length);
    for (const match of source.matchAll(/from\s+["']([^"']+)["']/g)) {
      const target = new URL(match[1], file);
      if (
        match[1].startsWith(".") && !target.pathname.startsWith(new URL("core/", root).pathname)
      ) {
        offenders.push(`${rel} imports ${match[1]}`);
      }
    }
    if (source.includes("Deno.env")) offenders.push(`${rel} reads Deno.env`);
  }
  assert.ok(files > 10, "expected to scan core/");
  assert.deepEqual(offenders, []);
});

Deno.test("routers/ does not import server/ or cli/", async () => {
  for await (const file of tsFiles(new URL("routers/", root))) {
    const source = await Deno.readTextFile(file);
    assert.doesNotMatch(source, /from\s+["']\.\.\/(server|cli)\//, file.pathname);
  }
});

/** Relative imports of every core/ file, as paths relative to core/. */
async function coreGraph(): Promise<Map<string, string[]>> {
  const core = new URL("core/", root);
  const graph = new Map<string, string[]>();
  for await (const file of tsFiles(core)) {
    const source = await Deno.readTextFile(file);
    const targets: string[] = [];
    for (const match of source.matchAll(/(?:from|import)\s*\(?\s*["'](\.[^"']+)["']/g)) {
      targets.push(new URL(match[1], file).pathname.slice(core.pathname.length));
    }
    graph.set(file.pathname.slice(core.pathname.length), targets);
  }
  return graph;
}

/**
 * The layer of a core file (ARCHITECTURE.md: formats ← providers ← deployments ← chat): shared
 * helpers 0, formats 1, providers 2, the router over them (deployments/) 2.5, the pipelines and
 * what reads every provider, alias or usage (chat/, embeddings/, responses/, config_file/,
 * usage/, health.ts) 3.
 */
function layerOf(path: string): number {
  if (path.startsWith("formats/")) return 1;
  if (path.startsWith("providers/")) return 2;
  if (path.startsWith("deployments/")) return 2.5;
  if (
    path.startsWith("chat/") || path.startsWith("embeddings/") || path.startsWith("responses/") ||
    path.startsWith("config_file/") || path.startsWith("usage/") || path === "health.ts"
  ) {
    return 3;
  }
  return 0;
}

/** `file imports target` for every import that points to a higher layer. */
function upwardImports(graph: Map<string, string[]>): string[] {
  const offenders: string[] = [];
  for (const [file, targets] of graph) {
    for (const target of targets) {
      if (layerOf(target) > layerOf(file)) offenders.push(`${file} imports ${target}`);
    }
  }
  return offenders;
}

/** Every import cycle found by a depth-first walk, as `a → b → a`. */
function findCycles(graph: Map<string, string[]>): string[] {
  const state = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === "done") return;
    if (state.get(file) === "open") {
      cycles.push([...path.slice(path.indexOf(file)), file].join(" → "));
      return;
    }
    state.set(file, "open");
    for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
    state.set(file, "done");
  };
  for (const file of graph.keys()) visit(file, []);
  return cycles;
}

Deno.test("inside core/, nothing imports upward (formats ← providers ← chat)", async () => {
  assert.deepEqual(upwardImports(await coreGraph()), []);
});

Deno.test("core/ has no import cycle", async () => {
  const graph = await coreGraph();
  assert.ok(graph.size > 50, "expected to scan core/");
  assert.deepEqual(findCycles(graph), []);
});

Deno.test("the checks see an upward import and a cycle", () => {
  const graph = new Map([
    ["formats/openai/codec.ts", ["providers/openai/models.ts"]],
    ["providers/openai/models.ts", ["chat/service.ts"]],
    ["chat/service.ts", ["formats/openai/codec.ts", "errors.ts"]],
    ["errors.ts", []],
  ]);
  assert.deepEqual(upwardImports(graph), [
    "formats/openai/codec.ts imports providers/openai/models.ts",
    "providers/openai/models.ts imports chat/service.ts",
  ]);
  assert.deepEqual(findCycles(graph), [
    "formats/openai/codec.ts → providers/openai/models.ts → chat/service.ts → formats/openai/codec.ts",
  ]);
});
