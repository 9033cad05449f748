/**
 * `deno task install-cli`: installs the CLI as the `llm-gateway` command with the repository's
 * locked dependency versions, and leaves that lock file beside the installed command's config so
 * the command runs offline with the same versions (`deno install -g --lock` checks the lock while
 * installing but does not keep it for the command itself).
 */
const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname);
const NAME = "llm-gateway";

/** The installation root `deno install -g` uses: `DENO_INSTALL_ROOT`, else `~/.deno`. */
function installRoot(): string {
  const explicit = Deno.env.get("DENO_INSTALL_ROOT");
  if (explicit) return explicit;
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  if (!home) throw new Error("set HOME or DENO_INSTALL_ROOT: the install root is unknown");
  return `${home}/.deno`;
}

const install = await new Deno.Command(Deno.execPath(), {
  args: [
    "install",
    "-g",
    "-f",
    "-n",
    NAME,
    "--config",
    `${ROOT}deno.json`,
    `--lock=${ROOT}deno.lock`,
    "--allow-net",
    "--allow-env",
    "--allow-read",
    "--allow-write",
    `${ROOT}cli/main.ts`,
  ],
  cwd: ROOT,
}).spawn().status;
if (!install.success) Deno.exit(install.code || 1);

// Deno keeps the installed command's config in `<root>/bin/.<name>/`; its lock file is read
// from there.
const configDir = `${installRoot()}/bin/.${NAME}`;
try {
  Deno.copyFileSync(`${ROOT}deno.lock`, `${configDir}/deno.lock`);
} catch (error) {
  console.error(`could not copy deno.lock to ${configDir}: ${(error as Error).message}`);
  Deno.exit(1);
}

// Settle the command's npm packages against that lock now, so its first run prints only its own
// output (Deno's one-time notes about the lock's packages are shown here, by the install).
const settle = await new Deno.Command(Deno.execPath(), {
  args: ["cache", "--config", `${configDir}/deno.json`, `${ROOT}cli/main.ts`],
  cwd: ROOT,
  stdout: "null",
}).spawn().status;
if (!settle.success) Deno.exit(settle.code || 1);
console.error(`installed ${NAME} (${configDir}/deno.lock: the repository's locked versions)`);
