/**
 * ARCHITECTURE.md: cli/ talks to the gateway only through routers/ (client and types) and
 * uses only pure helpers from core/ (config, dotenv, version, edit distance, and for `config
 * validate` the config file loader with the SDK-free kind settings) — never server/.
 */
import assert from "node:assert/strict";

const root = new URL("../../../", import.meta.url);
const ALLOWED_CORE = [
  "core/config.ts",
  "core/dotenv.ts",
  "core/version.ts",
  "core/text/edit_distance.ts",
  // `config validate`: pure (zod and yaml); kind_settings.ts loads no provider SDK.
  "core/config_file/load.ts",
  "core/providers/kind_settings.ts",
];

async function* tsFiles(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* tsFiles(url);
    else if (entry.name.endsWith(".ts")) yield url;
  }
}

Deno.test("cli/ imports only routers/, core config/dotenv/version and itself", async () => {
  const offenders: string[] = [];
  let files = 0;
  for await (const file of tsFiles(new URL("cli/", root))) {
    files++;
    const source = await Deno.readTextFile(file);
    const rel = file.pathname.slice(root.pathname.length);
    for (const match of source.matchAll(/from\s+["'](\.[^"']+)["']/g)) {
      const target = new URL(match[1], file).pathname.slice(root.pathname.length);
      const ok = target.startsWith("cli/") || target.startsWith("routers/") ||
        ALLOWED_CORE.includes(target);
      if (!ok) offenders.push(`${rel} imports ${target}`);
    }
    if (/from\s+["'][^"']*routers\/(?!client\.ts|app_router\.ts)/.test(source)) {
      offenders.push(`${rel} imports a router implementation`);
    }
  }
  assert.ok(files >= 10, "expected to scan cli/");
  assert.deepEqual(offenders, []);
});
