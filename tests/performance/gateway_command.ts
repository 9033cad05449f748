/**
 * What the benchmark and the soak share: the gateway's command line exactly as `deno task start`
 * runs it (plus `BENCH_GATEWAY_FLAGS`, e.g. V8 profiling flags), and numeric flag parsing.
 */
import { fileURLToPath } from "node:url";

/** The repository root, with a trailing slash. */
export const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** The start task's `deno run` arguments, with `BENCH_GATEWAY_FLAGS` added first. */
export function startTaskArgs(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${REPO}deno.json`)) as {
    tasks: Record<string, string>;
  };
  const words = config.tasks.start.trim().split(/\s+/);
  if (words[0] !== "deno" || words[1] !== "run") {
    throw new Error(`unexpected start task: ${config.tasks.start}`);
  }
  const extra = Deno.env.get("BENCH_GATEWAY_FLAGS")?.split(/\s+/).filter((w) => w !== "") ?? [];
  return ["run", ...extra, ...words.slice(2)];
}

/** A numeric flag (`fallback` when absent); out of `[min, max]` or not a number throws. */
export function numberOption(
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const n = Number(value ?? fallback);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`bad option value ${value}`);
  return n;
}
