/**
 * A real Redis server for tests: Debian's `redis-server` binary (`.ci/run` installs it when
 * missing) on a free loopback port, in a temporary directory, with no persistence. It can be
 * killed and started again on the same port (outage tests). Outside CI a missing binary makes
 * the tests that need it register one stand-in that says so by name (see
 * {@link registerRedisSkipped}); in CI that stand-in fails.
 *
 * @example
 * const redis = await startRedis();
 * const limiter = new RedisRateLimiter({ url: redis.url, … });
 * await redis.stop();
 */
import { freePort } from "./server.ts";
import { inCI } from "./postgres.ts";

/** A running test server. */
export interface TestRedis {
  /** `redis://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** SIGKILL (an outage); resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts the server again on the same port (after {@link kill}). */
  restart(): Promise<void>;
  /** Stops the server for good and removes its directory. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;

/** Starts a server; throws with the reason when it cannot (binary missing, no start). */
export async function startRedis(): Promise<TestRedis> {
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "gateway-redis-" });
  let child: Deno.ChildProcess | undefined;
  const spawn = async () => {
    try {
      child = new Deno.Command("redis-server", {
        args: [
          "--port",
          String(port),
          "--bind",
          "127.0.0.1",
          "--save",
          "",
          "--appendonly",
          "no",
          "--daemonize",
          "no",
          "--dir",
          dir,
          "--loglevel",
          "warning",
        ],
        cwd: dir,
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).spawn();
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new Error("redis-server is not installed (apt-get install -y redis-server)");
      }
      throw error;
    }
    const stderr = new Response(child.stderr).text();
    await waitReady(port, child, stderr);
  };
  const killNow = async () => {
    if (child === undefined) return;
    const running = child;
    child = undefined;
    try {
      running.kill("SIGKILL");
    } catch { /* already exited */ }
    await running.status;
  };
  try {
    await spawn();
  } catch (error) {
    await killNow();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw error;
  }
  let stopped = false;
  globalThis.addEventListener("unload", () => {
    if (stopped) return;
    try {
      child?.kill("SIGKILL");
    } catch { /* exited */ }
    Deno.removeSync(dir, { recursive: true });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: killNow,
    restart: spawn,
    stop: async () => {
      stopped = true;
      await killNow();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Sends one RESP command on a fresh connection and returns the raw reply. */
export async function redisCommand(port: number, ...args: string[]): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const wire = `*${args.length}\r\n${
      args.map((a) => `$${new TextEncoder().encode(a).length}\r\n${a}\r\n`).join("")
    }`;
    await conn.write(new TextEncoder().encode(wire));
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(65_536);
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
      const text = new TextDecoder().decode(concat(chunks));
      if (complete(text)) return text;
    }
    return new TextDecoder().decode(concat(chunks));
  } finally {
    conn.close();
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** True once a simple, error, integer or bulk-string reply has fully arrived. */
function complete(text: string): boolean {
  if (/^[+\-:]/.test(text)) return text.endsWith("\r\n");
  const bulk = /^\$(-?\d+)\r\n/.exec(text);
  if (bulk === null) return false;
  const length = Number(bulk[1]);
  if (length < 0) return true;
  return new TextEncoder().encode(text).length >= bulk[0].length + length + 2;
}

async function waitReady(port: number, child: Deno.ChildProcess, stderr: Promise<string>) {
  let exited = false;
  child.status.then(() => exited = true);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = "";
  while (Date.now() < deadline) {
    if (exited) throw new Error(`redis-server exited during start-up: ${(await stderr).trim()}`);
    try {
      if ((await redisCommand(port, "PING")).startsWith("+PONG")) return;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not answer within ${READY_TIMEOUT_MS} ms: ${last}`);
}

/** {@link startRedis}, or why it could not start (after a second try: the free port it picked
 * may have been taken in between). */
export async function tryStartRedis(): Promise<
  { server: TestRedis; reason?: undefined } | { server?: undefined; reason: string }
> {
  let reason = "";
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return { server: await startRedis() };
    } catch (error) {
      reason = (error instanceof Error ? error.message : String(error)).replace(/\n/g, " ");
      if (reason.includes("not installed")) break;
    }
  }
  return { reason };
}

/**
 * Registers the stand-in for Redis tests that could not run: a test named
 * "`prefix`: SKIPPED — redis-server could not start: `reason`" that passes outside CI (the name
 * says what did not run) and fails in CI, where they must run.
 */
export function registerRedisSkipped(prefix: string, reason: string): void {
  Deno.test(`${prefix}: SKIPPED — redis-server could not start: ${reason}`, () => {
    if (inCI()) throw new Error(`CI must run the Redis tests; the server did not start: ${reason}`);
  });
}

/** A loopback TCP proxy in front of a Redis server that counts the commands clients send
 * through it (each a RESP array): commands awaited one by one are round trips. */
export interface CountingProxy {
  url: string;
  /** Commands seen so far, with their names (e.g. `EVALSHA`). */
  commands: string[];
  close(): Promise<void>;
}

/** Starts a {@link CountingProxy} to `127.0.0.1:port`. */
export function countingProxy(port: number): CountingProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const commands: string[] = [];
  const conns = new Set<Deno.Conn>();
  const piping: Promise<unknown>[] = [];
  (async () => {
    for await (const client of listener) {
      conns.add(client);
      const upstream = await Deno.connect({ hostname: "127.0.0.1", port });
      conns.add(upstream);
      const parser = commandParser((name) => commands.push(name));
      const counted = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          parser(chunk);
          controller.enqueue(chunk);
        },
      });
      piping.push(
        client.readable.pipeThrough(counted).pipeTo(upstream.writable).catch(() => {}),
        upstream.readable.pipeTo(client.writable).catch(() => {}),
      );
    }
  })().catch(() => {});
  return {
    url: `redis://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    commands,
    close: async () => {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      await Promise.all(piping);
    },
  };
}

/** A streaming RESP request parser calling `onCommand` with each complete command's name. */
function commandParser(onCommand: (name: string) => void): (chunk: Uint8Array) => void {
  let pending = "";
  return (chunk) => {
    pending += new TextDecoder("latin1").decode(chunk);
    while (true) {
      const parsed = parseCommand(pending);
      if (parsed === undefined) return;
      onCommand(parsed.name);
      pending = pending.slice(parsed.length);
    }
  };
}

function parseCommand(text: string): { name: string; length: number } | undefined {
  const head = /^\*(\d+)\r\n/.exec(text);
  if (head === null) return undefined;
  let at = head[0].length;
  let name = "";
  for (let i = 0; i < Number(head[1]); i++) {
    const bulk = /^\$(\d+)\r\n/.exec(text.slice(at));
    if (bulk === null) return undefined;
    const start = at + bulk[0].length;
    const end = start + Number(bulk[1]);
    if (text.length < end + 2) return undefined;
    if (i === 0) name = text.slice(start, end).toUpperCase();
    at = end + 2;
  }
  return { name, length: at };
}
