/**
 * Runs the CLI as a real subprocess: the `cli` task's command line from deno.json (with
 * `--config` so it runs from a scratch directory) with piped stdin ({@link runCli}), or on a
 * pseudo-terminal through util-linux `script` ({@link startPtyCli}) started exactly as README
 * says — `deno task cli …`, so the task runner sits between the terminal and the CLI (it
 * forwards Ctrl-C's SIGINT a second time) — which the tests type into and read from.
 */

const ROOT = new URL("../../", import.meta.url);
const ROOT_PATH = decodeURIComponent(ROOT.pathname);

const PASS_THROUGH = ["PATH", "TMPDIR"];

/** Deno's cache directory, passed explicitly because the CLI runs with HOME in a scratch dir. */
function denoDir(): string {
  const explicit = Deno.env.get("DENO_DIR");
  if (explicit) return explicit;
  const cache = Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME")}/.cache`;
  return `${cache}/deno`;
}

/** The argv of the `cli` task with absolute paths. */
export function cliCommand(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT))) as {
    tasks: { cli: string };
  };
  const [deno, sub, ...rest] = config.tasks.cli.trim().split(/\s+/);
  if (deno !== "deno" || sub !== "run") throw new Error(`unexpected cli task: ${config.tasks.cli}`);
  return [
    Deno.execPath(),
    "run",
    "--config",
    `${ROOT_PATH}deno.json`,
    ...rest.map((a) => (a === "cli/main.ts" ? `${ROOT_PATH}cli/main.ts` : a)),
  ];
}

/** A scratch directory (working directory, HOME and history) removed on dispose. */
export interface Scratch extends Disposable {
  dir: string;
  /** The history directory the CLI is pointed at. */
  historyDir: string;
  /** The environment for the CLI: clean, HOME in the scratch dir, the given variables. */
  env(extra?: Record<string, string>): Record<string, string>;
  read(name: string): string;
  write(name: string, text: string): void;
}

/** Creates a {@link Scratch}. */
export function scratch(): Scratch {
  const dir = Deno.makeTempDirSync({ prefix: "cli-test-" });
  const historyDir = `${dir}/history`;
  return {
    dir,
    historyDir,
    env(extra = {}) {
      const env: Record<string, string> = {};
      for (const key of PASS_THROUGH) {
        const value = Deno.env.get(key);
        if (value !== undefined) env[key] = value;
      }
      return {
        ...env,
        HOME: dir,
        DENO_DIR: denoDir(),
        CHAT_HISTORY_DIR: historyDir,
        DENO_NO_UPDATE_CHECK: "1",
        ...extra,
      };
    },
    read: (name) => Deno.readTextFileSync(`${dir}/${name}`),
    write: (name, text) => Deno.writeTextFileSync(`${dir}/${name}`, text),
    [Symbol.dispose]: () => Deno.removeSync(dir, { recursive: true }),
  };
}

/** A finished CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion with `stdin` piped in (empty by default). */
export async function runCli(
  args: string[],
  options: { env: Record<string, string>; cwd: string; stdin?: string; timeoutMs?: number },
): Promise<CliResult> {
  const [command, ...base] = cliCommand();
  const child = new Deno.Command(command, {
    args: [...base, ...args],
    cwd: options.cwd,
    env: options.env,
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 15_000);
  try {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin ?? "")).catch(() => {});
    await writer.close().catch(() => {});
    const { code, stdout, stderr } = await child.output();
    const decoder = new TextDecoder();
    return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
  } finally {
    clearTimeout(timer);
  }
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** `deno task --config <repo>/deno.json cli …`: as README says, from any directory. */
export function taskCommand(
  args: string[],
  options: { quiet?: boolean; task?: string } = {},
): string[] {
  return [
    Deno.execPath(),
    "task",
    ...(options.quiet ? ["-q"] : []),
    "--config",
    `${ROOT_PATH}deno.json`,
    options.task ?? "cli",
    ...args,
  ];
}

/** Runs `deno task cli …` (or another task) to completion, stdin empty. */
export async function runTask(
  args: string[],
  options: {
    env: Record<string, string>;
    cwd: string;
    quiet?: boolean;
    task?: string;
    timeoutMs?: number;
  },
): Promise<CliResult> {
  const [command, ...rest] = taskCommand(args, options);
  const child = new Deno.Command(command, {
    args: rest,
    cwd: options.cwd,
    env: options.env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
  try {
    const { code, stdout, stderr } = await child.output();
    const decoder = new TextDecoder();
    return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
  } finally {
    clearTimeout(timer);
  }
}

/** The CLI running on a pseudo-terminal. */
export interface PtyCli extends AsyncDisposable {
  /** Everything the terminal showed so far (stdout and stderr, input echoed). */
  output(): string;
  /** Types text (use `\r` for Enter, `\x03` for Ctrl-C). */
  type(text: string): Promise<void>;
  /** Waits until the output (after `from`) matches. */
  waitFor(
    pattern: string | RegExp,
    options?: { from?: number; timeoutMs?: number },
  ): Promise<string>;
  /** Waits for the exit; kills the process after `timeoutMs`. */
  exit(timeoutMs?: number): Promise<number>;
  /** The pid of the CLI itself (the `deno run … cli/main.ts` under `script` and `deno task`). */
  cliPid(): number;
}

/** The processes under `root` (from `ps`), each with its command line, nearest first. */
function descendants(root: number): Array<{ pid: number; args: string }> {
  const ps = new Deno.Command("ps", { args: ["-eo", "pid=,ppid=,args="], stdout: "piped" })
    .outputSync();
  const rows = new TextDecoder().decode(ps.stdout).split("\n").map((l) =>
    /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l)
  ).filter((m) => m !== null).map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
  const out: Array<{ pid: number; args: string }> = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    for (const row of rows.filter((r) => r.ppid === pid)) {
      out.push(row);
      queue.push(row.pid);
    }
  }
  return out;
}

/**
 * Starts the CLI on a pseudo-terminal (`script -qfec … /dev/null`): through `deno task cli`
 * (the default, as README says) or `deno run` (`via: "run"`).
 */
export function startPtyCli(
  args: string[],
  options: { env: Record<string, string>; cwd: string; via?: "task" | "run"; cols?: number },
): PtyCli {
  const argv = options.via === "run" ? [...cliCommand(), ...args] : taskCommand(args);
  const line = `stty cols ${options.cols ?? 200} 2>/dev/null; exec ${argv.map(quote).join(" ")}`;
  const child = new Deno.Command("script", {
    args: ["-qfec", line, "/dev/null"],
    cwd: options.cwd,
    env: { ...options.env, TERM: "dumb" },
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  const pump = (async () => {
    for await (const chunk of child.stdout) text += decoder.decode(chunk, { stream: true });
  })();
  child.stderr.cancel().catch(() => {});
  const writer = child.stdin.getWriter();
  let status: Deno.CommandStatus | undefined;
  const exited = child.status.then((s) => (status = s));
  const waitFor = async (
    pattern: string | RegExp,
    { from = 0, timeoutMs = 10_000 }: { from?: number; timeoutMs?: number } = {},
  ) => {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const tail = text.slice(from);
      const found = typeof pattern === "string" ? tail.includes(pattern) : pattern.test(tail);
      if (found) return tail;
      if (Date.now() > deadline || status !== undefined) {
        throw new Error(`timed out waiting for ${pattern}; terminal showed:\n${text}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const exit = async (timeoutMs = 10_000) => {
    const timer = setTimeout(() => status === undefined && child.kill("SIGKILL"), timeoutMs);
    const s = await exited;
    clearTimeout(timer);
    await writer.close().catch(() => {});
    await pump.catch(() => {});
    return s.code;
  };
  return {
    output: () => text,
    type: (s) => writer.write(new TextEncoder().encode(s)),
    cliPid: () => {
      const cli = descendants(child.pid).find((p) => p.args.includes("cli/main.ts"));
      if (cli === undefined) throw new Error("the CLI process was not found");
      return cli.pid;
    },
    waitFor,
    exit,
    [Symbol.asyncDispose]: async () => {
      if (status === undefined) child.kill("SIGKILL");
      await exit(1000);
    },
  };
}
