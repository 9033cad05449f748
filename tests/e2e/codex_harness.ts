/**
 * Runs the real Codex CLI (`@openai/codex`, its native Linux x64 build, which npm ships as the
 * prerelease-tagged version `@openai/codex@<v>-linux-x64` of the same package) headless:
 * `codex exec --json` against the gateway, with a scratch `CODEX_HOME` whose `config.toml`
 * names the gateway as a `model_providers` entry (`wire_api = "responses"`), approval `never`,
 * the read-only sandbox, analytics, feedback, OpenTelemetry, update checks and the plugin
 * marketplace sync off, and no retries (a gateway error fails the run at once).
 *
 * Every proxy variable points at a local trap that records where Codex tried to connect, so a
 * test can assert it reached nothing but the gateway (the gateway itself is in `NO_PROXY`).
 *
 * @example
 * const run = await runCodex({ gateway: s.url, apiKey: "k", model: "mock-echo", prompt: "Hi", cwd });
 * run.lastMessage; // the agent's final message
 */
// Imported so that `deno test` downloads the package into Deno's npm cache (a bare
// import.meta.resolve does not); the binary is run from there.
import codexPackage from "@openai/codex-linux-x64/package.json" with { type: "json" };

/** The Codex CLI version under test. */
export const CODEX_VERSION: string = codexPackage.version;

/** The native binary inside the npm package (resolved through Deno's npm cache). */
export const CODEX_BIN = decodeURIComponent(
  new URL(import.meta.resolve("@openai/codex-linux-x64/package.json")).pathname,
).replace(/package\.json$/, "vendor/x86_64-unknown-linux-musl/bin/codex");

/** The environment variable Codex reads the gateway key from (`env_key`). */
const KEY_ENV = "LLM_GATEWAY_API_KEY";

/**
 * The `config.toml` that points Codex at a gateway (`baseUrl` ends in `/v1`; Codex appends
 * `/responses`).
 */
export function codexConfig(baseUrl: string, model: string): string {
  return `model = ${JSON.stringify(model)}
model_provider = "llm-gateway"
approval_policy = "never"
sandbox_mode = "read-only"
check_for_update_on_startup = false

[features]
plugins = false

[model_providers.llm-gateway]
name = "LLM gateway"
base_url = ${JSON.stringify(baseUrl)}
wire_api = "responses"
env_key = "${KEY_ENV}"
request_max_retries = 0
stream_max_retries = 0
stream_idle_timeout_ms = 30000

[analytics]
enabled = false

[feedback]
enabled = false

[otel]
exporter = "none"
`;
}

/** One `codex exec` run. */
export interface CodexRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The `--json` events (one JSON object per stdout line). */
  events: Array<Record<string, unknown>>;
  /** The agent's final message (`--output-last-message`), "" when there was none. */
  lastMessage: string;
  /** First lines of connections Codex opened through the proxy trap (e.g. `CONNECT host:443`). */
  egress: string[];
}

/** Options of {@link runCodex}. */
export interface CodexOptions {
  /** The gateway's origin. */
  gateway: string;
  apiKey: string;
  model: string;
  prompt: string;
  /** The working directory Codex works in. */
  cwd: string;
  /** `-c key=value` overrides (values in TOML), e.g. `{ model_reasoning_effort: '"medium"' }`. */
  config?: Record<string, string>;
  /** Kill after this long (default 60 s). */
  timeoutMs?: number;
}

/** A listener that records the first line of every connection made to it, then closes it. */
function startProxyTrap(): { url: string; seen: string[]; close(): Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const seen: string[] = [];
  const loop = (async () => {
    for await (const conn of listener) {
      const buffer = new Uint8Array(1024);
      const n = await conn.read(buffer).catch(() => null);
      seen.push(new TextDecoder().decode(buffer.subarray(0, n ?? 0)).split("\r\n")[0]);
      conn.close();
    }
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    seen,
    async close() {
      listener.close();
      await loop;
    },
  };
}

/** Runs `codex exec --json PROMPT` against the gateway in a scratch `CODEX_HOME`. */
export async function runCodex(options: CodexOptions): Promise<CodexRun> {
  const home = Deno.makeTempDirSync({ prefix: "codex-home-" });
  Deno.writeTextFileSync(
    `${home}/config.toml`,
    codexConfig(`${options.gateway}/v1`, options.model),
  );
  const last = `${home}/last_message.txt`;
  const trap = startProxyTrap();
  const child = new Deno.Command(CODEX_BIN, {
    args: [
      "exec",
      "--json",
      "--strict-config",
      "--skip-git-repo-check",
      "--ephemeral",
      "--color",
      "never",
      "--output-last-message",
      last,
      ...Object.entries(options.config ?? {}).flatMap(([key, value]) => ["-c", `${key}=${value}`]),
      options.prompt,
    ],
    cwd: options.cwd,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: home,
      CODEX_HOME: home,
      [KEY_ENV]: options.apiKey,
      HTTPS_PROXY: trap.url,
      HTTP_PROXY: trap.url,
      ALL_PROXY: trap.url,
      NO_PROXY: "127.0.0.1,localhost",
      NO_COLOR: "1",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  try {
    const { code, stdout, stderr } = await child.output();
    const decoder = new TextDecoder();
    const out = decoder.decode(stdout);
    let lastMessage = "";
    try {
      lastMessage = Deno.readTextFileSync(last);
    } catch {
      // no final message
    }
    return {
      code,
      stdout: out,
      stderr: decoder.decode(stderr),
      events: out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l)),
      lastMessage,
      egress: trap.seen,
    };
  } finally {
    clearTimeout(timer);
    await trap.close();
    Deno.removeSync(home, { recursive: true });
  }
}

/** A run's summary for assertion messages. */
export function explainCodex(run: CodexRun): string {
  return `codex ${CODEX_VERSION}: exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${
    run.stderr.slice(-4000)
  }`;
}
