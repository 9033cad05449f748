/**
 * A Web Worker for the shared-table test: it waits for a job (the table's buffer, a subject,
 * limits, how many requests, the tokens each reserves and actually uses), then on "go" runs the
 * requests back to back through its own {@link MemoryRateLimiter} over the shared buffer and
 * answers how many were admitted and the tokens they settled.
 */
import { MemoryRateLimiter } from "../../core/limits/memory_limiter.ts";
import type { Limits } from "../../core/limits/window.ts";

/** What the test sends first. */
export interface LimiterJob {
  buffer: SharedArrayBuffer;
  subject: string;
  limits: Limits;
  requests: number;
  estimate: number;
  /** Tokens settled per admitted request: `actual[i % actual.length]`. */
  actual: number[];
}

/** What the worker answers. */
export interface LimiterJobResult {
  admitted: number;
  refused: number;
  settledTokens: number;
}

const scope = self as unknown as Worker;
let job: LimiterJob | undefined;
scope.addEventListener("message", (event: MessageEvent) => {
  if (event.data !== "go") {
    job = event.data as LimiterJob;
    scope.postMessage("ready");
    return;
  }
  const { buffer, subject, limits, requests, estimate, actual } = job!;
  const limiter = new MemoryRateLimiter(buffer);
  const result: LimiterJobResult = { admitted: 0, refused: 0, settledTokens: 0 };
  for (let i = 0; i < requests; i++) {
    const decision = limiter.acquireNow(subject, limits, estimate);
    if (!decision.allowed) {
      result.refused++;
      continue;
    }
    result.admitted++;
    const tokens = actual[i % actual.length];
    result.settledTokens += tokens;
    limiter.settleNow(decision.lease, tokens);
  }
  scope.postMessage(result);
});
