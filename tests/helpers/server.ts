/**
 * Spawns the real gateway the way `deno task start` does: the command line is the `start` task
 * of `deno.json` (same permissions and unstable flags), plus `--config` so it can run from a
 * scratch working directory (where `./.env` is whatever the test writes, never the developer's).
 * The child gets a clean environment: only what the test passes, plus what Deno needs to find
 * its cache.
 *
 * @example
 * await using gw = await spawnGateway({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: "test" });
 * await fetch(`${gw.url}/health`);
 */

const ROOT = new URL("../../", import.meta.url);
const ROOT_PATH = decodeURIComponent(ROOT.pathname);

/** Variables passed through from the test's environment so Deno finds its cache offline. */
const PASS_THROUGH = [
  "PATH",
  "HOME",
  "DENO_DIR",
  "XDG_CACHE_HOME",
  "TMPDIR",
  "DENO_NO_UPDATE_CHECK",
];

/** The environment a spawned gateway starts from (overridable per test). */
export const SPAWN_BASE_ENV: Record<string, string> = {
  HOST: "127.0.0.1",
  WORKERS: "1",
  UPSTREAM_MAX_RETRIES: "0",
  NO_COLOR: "1",
  DENO_NO_UPDATE_CHECK: "1",
};

/** The argv of the `start` task, with `deno` → this Deno, `main.ts` → its absolute path. */
export function startCommand(): { command: string; args: string[] } {
  const config = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT))) as {
    tasks: { start: string };
  };
  const [deno, sub, ...rest] = config.tasks.start.trim().split(/\s+/);
  if (deno !== "deno" || sub !== "run") {
    throw new Error(`unexpected start task: ${config.tasks.start}`);
  }
  const args = rest.map((a) => (a === "main.ts" ? `${ROOT_PATH}main.ts` : a));
  return { command: Deno.execPath(), args: ["run", "--config", `${ROOT_PATH}deno.json`, ...args] };
}

/** A port that was free a moment ago. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function childEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of PASS_THROUGH) {
    const value = Deno.env.get(key);
    if (value !== undefined) out[key] = value;
  }
  for (const [key, value] of Object.entries({ ...SPAWN_BASE_ENV, ...env })) {
    if (value !== undefined) out[key] = value;
    else delete out[key];
  }
  return out;
}

/** Collects a child's output stream as text. */
function collect(stream: ReadableStream<Uint8Array>): { text: () => string; done: Promise<void> } {
  let text = "";
  const done = stream.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (s) => void (text += s) }),
  ).catch(() => {});
  return { text: () => text, done };
}

/** Options of {@link spawnGateway} and {@link runGateway}. */
export interface SpawnOptions {
  /** Files written into the scratch working directory first (e.g. `{".env": "PORT=1"}`). */
  files?: Record<string, string>;
  /** How long to wait for `/health` (or for the exit, in `runGateway`). */
  timeoutMs?: number;
  /** Runs the gateway under `ulimit -n <this>` (through bash), like a host's open-files limit. */
  openFilesLimit?: number;
}

/** The command, under `ulimit -n` when asked (bash's `exec` keeps the pid the gateway's). */
function limited(
  { command, args }: { command: string; args: string[] },
  openFilesLimit: number | undefined,
): { command: string; args: string[] } {
  if (openFilesLimit === undefined) return { command, args };
  return {
    command: "bash",
    args: ["-c", `ulimit -n ${openFilesLimit} && exec "$0" "$@"`, command, ...args],
  };
}

/** A running gateway process. */
export interface SpawnedGateway extends AsyncDisposable {
  url: string;
  port: number;
  child: Deno.ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Stdout lines that are JSON objects (the structured logs). */
  logs(): Array<Record<string, unknown>>;
  /** Sends `signal`, waits for the exit (SIGKILL after 15 s) and cleans up. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

function makeWorkDir(files: Record<string, string> = {}): string {
  const dir = Deno.makeTempDirSync({ prefix: "gateway-test-" });
  for (const [name, content] of Object.entries(files)) {
    Deno.writeTextFileSync(`${dir}/${name}`, content);
  }
  return dir;
}

/**
 * Starts the gateway and resolves once `GET /health` answers 200. `PORT` is picked free unless
 * given. Fails with the child's stderr when it exits first or times out.
 */
export async function spawnGateway(
  env: Record<string, string | undefined> = {},
  options: SpawnOptions = {},
): Promise<SpawnedGateway> {
  const port = env.PORT !== undefined ? Number(env.PORT) : freePort();
  const cwd = makeWorkDir(options.files);
  const { command, args } = limited(startCommand(), options.openFilesLimit);
  const child = new Deno.Command(command, {
    args,
    cwd,
    env: childEnv({ PORT: String(port), ...env }),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out = collect(child.stdout);
  const err = collect(child.stderr);
  let exited: Deno.CommandStatus | undefined;
  const status = child.status.then((s) => (exited = s));
  const url = `http://127.0.0.1:${port}`;

  let stopped: Promise<Deno.CommandStatus> | undefined;
  const stop = (signal: Deno.Signal = "SIGTERM") =>
    stopped ??= (async () => {
      if (exited === undefined) child.kill(signal);
      const timer = setTimeout(() => exited === undefined && child.kill("SIGKILL"), 15_000);
      const result = await status;
      clearTimeout(timer);
      await Promise.all([out.done, err.done]);
      Deno.removeSync(cwd, { recursive: true });
      return result;
    })();

  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (true) {
    if (exited !== undefined || Date.now() > deadline) {
      await stop("SIGKILL");
      throw new Error(
        `gateway did not become healthy (exit ${exited?.code ?? "timeout"}):\n${err.text()}`,
      );
    }
    try {
      const response = await fetch(`${url}/health`);
      await response.body?.cancel();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    url,
    port,
    child,
    stdout: out.text,
    stderr: err.text,
    logs: () =>
      out.text().split("\n").filter((l) => l.startsWith("{")).map((l) =>
        JSON.parse(l) as Record<string, unknown>
      ),
    stop,
    [Symbol.asyncDispose]: async () => void await stop(),
  };
}

/** Runs the launcher to completion (for start-up failures): exit code and output. */
export async function runGateway(
  env: Record<string, string | undefined>,
  options: SpawnOptions = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const cwd = makeWorkDir(options.files);
  const { command, args } = startCommand();
  const child = new Deno.Command(command, {
    args,
    cwd,
    env: childEnv({ PORT: String(freePort()), ...env }),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
  try {
    const { code, stdout, stderr } = await child.output();
    const decoder = new TextDecoder();
    return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
  } finally {
    clearTimeout(timer);
    Deno.removeSync(cwd, { recursive: true });
  }
}

/**
 * The environment that points a spawned gateway at the local fakes: the fake OpenAI upstream
 * and/or the fake Bedrock runtime, with static test keys, no instance metadata and no developer
 * AWS profile.
 *
 * @example
 * await spawnGateway({ API_KEY: "k", ...fakeUpstreamEnv({ bedrock: fake.url }) });
 */
export function fakeUpstreamEnv(
  urls: { openai?: string; bedrock?: string },
): Record<string, string> {
  return {
    ...(urls.openai === undefined
      ? {}
      : { OPENAI_BASE_URL: urls.openai, OPENAI_API_KEY: "sk-fake" }),
    ...(urls.bedrock === undefined ? {} : {
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: urls.bedrock,
      AWS_ACCESS_KEY_ID: "AKIDTEST",
      AWS_SECRET_ACCESS_KEY: "secret",
      AWS_REGION: "us-east-1",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_CONFIG_FILE: "/nonexistent/aws/config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws/credentials",
    }),
  };
}
