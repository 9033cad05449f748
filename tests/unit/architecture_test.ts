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
