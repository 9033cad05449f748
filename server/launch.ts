/**
 * Start-up helpers of the launcher (`main.ts`): claim the port for the gateway's own workers,
 * count the file descriptors the process may still open, the connection limits that follow, the
 * one line a start-up failure is reported in, and who prints the refusal to start otherwise.
 */
import type { Config } from "../core/config.ts";
import {
  ConnectionLimits,
  DESCRIPTORS_WORTH_COUNTING,
  effectiveMaxConnections,
} from "./conn_limits.ts";

/**
 * How many more files this process can open, up to `max`: opens `/dev/null` until EMFILE, then
 * closes them all (Deno does not expose `getrlimit`, and `/proc/self/limits` needs
 * `--allow-all`). A few milliseconds per thousand; undefined if opening fails otherwise.
 */
function freeDescriptors(max: number): number | undefined {
  const files: Deno.FsFile[] = [];
  try {
    while (files.length < max) files.push(Deno.openSync("/dev/null"));
    return max;
  } catch (error) {
    return (error as { code?: string }).code === "EMFILE" ? files.length : undefined;
  } finally {
    for (const file of files) file.close();
  }
}

/** The connection limits in force (per process); `maxConnections` 0 means automatic. */
export function connectionLimits(
  config: Config,
  buffer: SharedArrayBuffer,
  maxConnections = effectiveMaxConnections(
    config.maxConnections,
    config.maxConnections > 0 ? undefined : freeDescriptors(DESCRIPTORS_WORTH_COUNTING),
  ),
): ConnectionLimits {
  const perIp = config.maxConnectionsPerIp > 0
    ? Math.min(config.maxConnectionsPerIp, maxConnections)
    : maxConnections;
  return new ConnectionLimits(buffer, maxConnections, perIp);
}

/** The one line a start-up failure is reported in. */
export function startupFailure(error: unknown, host: string, port: number): string {
  if (error instanceof Deno.errors.AddrInUse) {
    return `Cannot start: port ${port} on ${host} is already in use by another process (PORT)`;
  }
  const reason = error instanceof Error ? error.message : String(error);
  return `Cannot start: cannot listen on ${host}:${port} (HOST, PORT): ${reason}`;
}

/**
 * Binds the address once without SO_REUSEPORT and lets it go, so that workers share the port
 * only with each other: if any other process listens there — with SO_REUSEPORT or not, another
 * gateway included — this fails with AddrInUse instead of silently sharing. Returns the port
 * (the one the system picked when `port` is 0).
 */
export function claimPort(host: string, port: number): number {
  const probe = Deno.listen({ hostname: host, port });
  const bound = probe.addr.port;
  probe.close();
  return bound;
}

/** True in the first isolate of this process to claim the refusal (a directory named after the
 * pid, created atomically and removed once the refusal is written); true as well when it cannot
 * tell (no permission to try). */
export function firstToRefuse(): boolean {
  let claim: string;
  try {
    claim = `${Deno.env.get("TMPDIR") || "/tmp"}/llm-gateway-refused-${Deno.pid}`;
    Deno.mkdirSync(claim);
  } catch (error) {
    return !(error instanceof Deno.errors.AlreadyExists);
  }
  globalThis.addEventListener("unload", () => Deno.removeSync(claim));
  return true;
}
