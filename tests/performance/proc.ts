/**
 * Benchmark process helpers: spawn a server subprocess (the pid is the server itself, not a
 * `deno task` wrapper), wait until it listens, read its CPU time and peak RSS from `/proc`, and
 * stop every spawned process on exit.
 */

const TAIL_CHARS = 8_000;
const live = new Set<ServerProcess>();

/** A spawned server. */
export interface ServerProcess {
  name: string;
  pid: number;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** The last few KB of its stdout and stderr, for error reports. */
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number>;
  stop(): Promise<void>;
}

/** How to start a server. */
export interface SpawnOptions {
  name: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
  /** Fixed port the server is told to use; without it the server must print `{"port":N}`. */
  port?: number;
  /** Polled with GET until 200 when `port` is given. */
  readyPath?: string;
  timeoutMs?: number;
}

function tailCollector(stream: ReadableStream<Uint8Array>, onLine?: (line: string) => void) {
  let tail = "";
  let pending = "";
  const done = (async () => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      tail = (tail + text).slice(-TAIL_CHARS);
      if (onLine === undefined) continue;
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) onLine(line);
    }
  })().catch(() => {});
  return { tail: () => tail, done };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Spawns `deno <args>` and resolves once it accepts requests. */
export async function spawnServer(options: SpawnOptions): Promise<ServerProcess> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child = new Deno.Command(Deno.execPath(), {
    args: options.args,
    cwd: options.cwd,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let announced: ((port: number) => void) | undefined;
  const announcedPort = new Promise<number>((resolve) => (announced = resolve));
  const out = tailCollector(child.stdout, (line) => {
    if (!line.startsWith('{"port":')) return;
    try {
      announced?.((JSON.parse(line) as { port: number }).port);
    } catch { /* not the announcement */ }
  });
  const err = tailCollector(child.stderr);
  const exited = child.status.then((s) => s.code);
  let hasExited = false;
  exited.then(() => (hasExited = true));

  const server: ServerProcess = {
    name: options.name,
    pid: child.pid,
    origin: "",
    output: () => `--- stdout ---\n${out.tail()}\n--- stderr ---\n${err.tail()}`,
    exited,
    async stop() {
      live.delete(server);
      if (hasExited) return;
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      const code = await Promise.race([exited, sleep(3_000).then(() => undefined)]);
      if (code === undefined) {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
        await exited;
      }
      await Promise.all([out.done, err.done]);
    },
  };
  live.add(server);

  const deadline = Date.now() + timeoutMs;
  const failed = (why: string) =>
    new Error(`${options.name} did not start (${why})\n${server.output()}`);
  if (options.port === undefined) {
    const port = await Promise.race([
      announcedPort,
      exited.then((code) => {
        throw failed(`exit code ${code}`);
      }),
      sleep(timeoutMs).then(() => {
        throw failed(`no port announced in ${timeoutMs} ms`);
      }),
    ]);
    server.origin = `http://127.0.0.1:${port}`;
    return server;
  }
  server.origin = `http://127.0.0.1:${options.port}`;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    if (hasExited) throw failed(`exit code ${await exited}`);
    try {
      const response = await fetch(server.origin + (options.readyPath ?? "/"));
      await response.body?.cancel();
      if (response.ok) return server;
    } catch { /* not listening yet */ }
    await sleep(Math.min(50 * (attempt + 1), 250));
  }
  throw failed(`not ready in ${timeoutMs} ms`);
}

/** Stops every server still running (idempotent). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((s) => s.stop()));
}

/** A port that was free a moment ago (loopback). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Clock ticks per second (`getconf CLK_TCK`; 100 on Linux in practice). */
export async function clockTicks(): Promise<number> {
  try {
    const { stdout, success } = await new Deno.Command("getconf", { args: ["CLK_TCK"] }).output();
    const value = Number(new TextDecoder().decode(stdout).trim());
    if (success && Number.isFinite(value) && value > 0) return value;
  } catch { /* getconf missing */ }
  return 100;
}

/** Reads `/proc` files through `cat`: Deno's permission model asks for --allow-all to read
 * `/proc/<pid>/…` directly, and the bench task does not grant it. */
async function readProc(paths: string[]): Promise<string> {
  const { stdout, success, stderr } = await new Deno.Command("cat", { args: paths }).output();
  if (!success) {
    throw new Error(`cannot read ${paths.join(" ")}: ${new TextDecoder().decode(stderr)}`);
  }
  return new TextDecoder().decode(stdout);
}

/** utime + stime of each process (all its threads), in clock ticks, from `/proc/<pid>/stat`. */
export async function cpuTicks(pids: number[]): Promise<number[]> {
  const lines = (await readProc(pids.map((pid) => `/proc/${pid}/stat`))).trim().split("\n");
  return lines.map((stat) => {
    // Fields after the parenthesised command name: state(3) … utime(14) stime(15).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  });
}

/** Peak resident set size (VmHWM) in MiB. */
export async function peakRssMiB(pid: number): Promise<number> {
  const match = (await readProc([`/proc/${pid}/status`])).match(/^VmHWM:\s+(\d+)\s+kB/m);
  return match === null ? NaN : Number(match[1]) / 1024;
}

/** Current resident set size (VmRSS) in MiB. */
export async function rssMiB(pid: number): Promise<number> {
  const match = (await readProc([`/proc/${pid}/status`])).match(/^VmRSS:\s+(\d+)\s+kB/m);
  return match === null ? NaN : Number(match[1]) / 1024;
}

/** Resets VmHWM to the current RSS (`echo 5 > /proc/<pid>/clear_refs`); false if not allowed. */
export async function resetPeakRss(pid: number): Promise<boolean> {
  try {
    const { success } = await new Deno.Command("sh", {
      args: ["-c", `echo 5 > /proc/${pid}/clear_refs`],
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}
