/**
 * Reloading the config file while serving (SIGHUP, tRPC `config.reload`): a fetch handler whose
 * implementation is swapped atomically — a request runs to its end on the handler it started
 * on, since it holds that handler's closures — the log lines of an outcome, and the fan-out over
 * the workers of `deno task start`: the launcher asks every worker to reload, collects their
 * outcomes and logs them once; a worker that gets `config.reload` asks the launcher to do that.
 */
import { ConfigError } from "../core/config.ts";
import { ConfigFileError } from "../core/config_file/load.ts";
import type { LogFields, Logger } from "../core/logger.ts";
import type { ReloadResult } from "../routers/config.ts";

export type { ReloadResult } from "../routers/config.ts";

/** A fetch handler as `buildHandler` returns it. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** How long the launcher waits for each worker's outcome. */
export const RELOAD_TIMEOUT_MS = 10_000;

/** What {@link reloadableHandler} needs. */
export interface ReloadableOptions {
  /** The config file in force; undefined when the gateway runs without one. */
  file?: string;
  /** Reads the file again and builds a handler from it; throws `ConfigError` (a
   * `ConfigFileError` with one line per problem) when the file is bad. */
  load(): { handler: FetchHandler; providers: string[] };
}

/** A handler that serves with whatever handler is current, and the reload that swaps it. */
export interface Reloadable {
  /** Calls the current handler: give this to the listener. */
  handler: FetchHandler;
  /** Loads the file and swaps the handler; on any failure keeps the old one. Synchronous, so
   * no request ever sees half a reload. */
  reload(): ReloadResult;
}

/** The problem lines of a failed load: the file's own lines, or one naming the file. */
function problemsOf(error: unknown, file: string): string[] {
  if (error instanceof ConfigFileError) return [...error.problems];
  if (error instanceof ConfigError) return error.message.split("\n");
  return [`${file}: ${error instanceof Error ? error.message : String(error)}`];
}

/**
 * Serves with `initial` until a reload succeeds; each successful reload serves new requests
 * with the handler `options.load` built, while requests already running finish on theirs.
 *
 * @example
 * const served = reloadableHandler(build(loaded), { file, load });
 * listen(served.handler, options); // later: served.reload()
 */
export function reloadableHandler(initial: FetchHandler, options: ReloadableOptions): Reloadable {
  let current = initial;
  return {
    handler: (request) => current(request),
    reload() {
      const file = options.file;
      if (file === undefined) return { reloaded: false, reason: "no_config_file" };
      try {
        const { handler, providers } = options.load();
        current = handler;
        return { reloaded: true, file, providers };
      } catch (error) {
        return {
          reloaded: false,
          reason: "invalid_config",
          file,
          problems: problemsOf(error, file),
        };
      }
    },
  };
}

/** One log line. */
export interface LogLine {
  level: "info" | "warn";
  msg: string;
  fields: LogFields;
}

function linesOf(result: ReloadResult, fields: LogFields): LogLine[] {
  if (result.reloaded) {
    return [{
      level: "info",
      msg: `config reloaded: providers ${result.providers.join(", ")}`,
      fields: { file: result.file, ...fields },
    }];
  }
  switch (result.reason) {
    case "invalid_config":
      return result.problems.map((line) => ({
        level: "warn",
        msg: `config reload failed: ${line}`,
        fields: { file: result.file, kept: "the previous config", ...fields },
      }));
    case "no_config_file":
      return [{
        level: "info",
        msg: "no config file to reload (GATEWAY_CONFIG is unset and there was no ./gateway.yaml " +
          "at start-up)",
        fields,
      }];
    case "no_answer":
      return [{
        level: "warn",
        msg: "config reload: a worker did not answer in time (it may still reload)",
        fields,
      }];
  }
}

/**
 * The log lines of the workers' outcomes (index = worker): each distinct outcome once, with
 * `workers`, how many had it, and — when they differ — `worker_indexes`, which ones.
 *
 * @example
 * reloadLogLines([ok, ok])[0].msg; // "config reloaded: providers m, m2"
 */
export function reloadLogLines(results: readonly ReloadResult[]): LogLine[] {
  const groups = new Map<string, { result: ReloadResult; workers: number[] }>();
  results.forEach((result, worker) => {
    const key = JSON.stringify(result);
    const group = groups.get(key) ?? { result, workers: [] };
    group.workers.push(worker);
    groups.set(key, group);
  });
  return [...groups.values()].flatMap((g) =>
    linesOf(
      g.result,
      groups.size === 1
        ? { workers: g.workers.length }
        : { workers: g.workers.length, worker_indexes: g.workers },
    )
  );
}

/** Writes {@link reloadLogLines} to `logger`. */
export function logReload(logger: Logger, results: readonly ReloadResult[]): void {
  for (const line of reloadLogLines(results)) logger[line.level](line.msg, line.fields);
}

/** Reloads every isolate; resolves with their outcomes in worker order. */
export type ReloadAll = () => Promise<ReloadResult[]>;

/** The reload of a gateway without workers: this isolate's, logged. */
export function localReloads(reload: () => ReloadResult, logger: Logger): ReloadAll {
  return () => {
    const results = [reload()];
    logReload(logger, results);
    return Promise.resolve(results);
  };
}

/** The messages of the reload protocol between the launcher and its workers. */
type ReloadMessage =
  /** launcher → worker: reload yourself. */
  | { type: "reload"; id: string }
  /** worker → launcher: my outcome. */
  | { type: "reloaded"; id: string; result: ReloadResult }
  /** worker → launcher: reload every worker (a `config.reload` call). */
  | { type: "reload-all"; id: string }
  /** launcher → worker: done; your own outcome. */
  | { type: "reload-all-done"; id: string; result: ReloadResult };

function reloadMessage(data: unknown): ReloadMessage | undefined {
  const type = (data as { type?: unknown } | null)?.type;
  return typeof type === "string" && type.startsWith("reload") ? data as ReloadMessage : undefined;
}

/** One end of the launcher–worker channel: a `Worker` (the launcher's end) or a worker's global
 * scope (`self`, the worker's end). */
export interface WorkerScope {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
}

/**
 * The launcher's side: `reloadAll` asks every worker to reload, waits for each outcome (a
 * worker silent for `timeoutMs` counts as `no_answer`) and logs them once. A worker's
 * `reload-all` runs the same and is answered with that worker's outcome. Reloads run one after
 * the other.
 */
export function coordinateReloads(
  workers: readonly WorkerScope[],
  logger: Logger,
  timeoutMs = RELOAD_TIMEOUT_MS,
): ReloadAll {
  const waiting = new Map<string, (result: ReloadResult) => void>();
  const ask = (worker: WorkerScope) =>
    new Promise<ReloadResult>((resolve) => {
      const id = crypto.randomUUID();
      const timer = setTimeout(() => {
        waiting.delete(id);
        resolve({ reloaded: false, reason: "no_answer" });
      }, timeoutMs);
      waiting.set(id, (result) => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(result);
      });
      worker.postMessage({ type: "reload", id } satisfies ReloadMessage);
    });
  let queue: Promise<unknown> = Promise.resolve();
  const reloadAll: ReloadAll = () => {
    const run = queue.then(async () => {
      const results = await Promise.all(workers.map(ask));
      logReload(logger, results);
      return results;
    });
    queue = run;
    return run;
  };
  workers.forEach((worker, index) =>
    worker.addEventListener("message", async (event) => {
      const message = reloadMessage(event.data);
      if (message?.type === "reloaded") waiting.get(message.id)?.(message.result);
      if (message?.type === "reload-all") {
        const result = (await reloadAll())[index];
        worker.postMessage({ type: "reload-all-done", id: message.id, result } as ReloadMessage);
      }
    })
  );
  return reloadAll;
}

/** A worker's side, answering the launcher: each `reload` runs `reload` and posts the outcome. */
export function answerReloads(scope: WorkerScope, reload: () => ReloadResult): void {
  scope.addEventListener("message", (event) => {
    const message = reloadMessage(event.data);
    if (message?.type !== "reload") return;
    scope.postMessage({ type: "reloaded", id: message.id, result: reload() } as ReloadMessage);
  });
}

/** A worker's `config.reload`: asks the launcher to reload every worker; resolves with this
 * worker's own outcome. */
export function askForReload(scope: WorkerScope): () => Promise<ReloadResult> {
  const waiting = new Map<string, (result: ReloadResult) => void>();
  scope.addEventListener("message", (event) => {
    const message = reloadMessage(event.data);
    if (message?.type === "reload-all-done") waiting.get(message.id)?.(message.result);
  });
  return () =>
    new Promise((resolve) => {
      const id = crypto.randomUUID();
      waiting.set(id, (result) => {
        waiting.delete(id);
        resolve(result);
      });
      scope.postMessage({ type: "reload-all", id } satisfies ReloadMessage);
    });
}

/**
 * Listens for SIGHUP now (its default action would end the process) and reloads with the
 * `reloadAll` given to `serve` — a SIGHUP that came before is run then. Not on Windows.
 */
export function listenForHangup(): { serve(reloadAll: ReloadAll): void } {
  let target: ReloadAll | undefined;
  let pending = false;
  if (Deno.build.os !== "windows") {
    Deno.addSignalListener("SIGHUP", () => {
      if (target === undefined) pending = true;
      else void target();
    });
  }
  return {
    serve(reloadAll) {
      target = reloadAll;
      if (pending) void reloadAll();
    },
  };
}
