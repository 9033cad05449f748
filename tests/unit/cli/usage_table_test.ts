import assert from "node:assert/strict";
import { formatUsd, usageTable } from "../../../cli/commands/usage.ts";

const group = (name: string | null, requests: number, cost: number, unpriced = 0) => ({
  group: name,
  requests,
  errors: 0,
  input_tokens: requests * 10,
  cached_tokens: 0,
  output_tokens: requests * 5,
  reasoning_tokens: 0,
  cost_usd: cost,
  unpriced_requests: unpriced,
});

Deno.test("usage table: groups, a total line, labels for records without a group", () => {
  const text = usageTable(
    [group("gpt-4o", 2, 0.125), group(null, 1, 0, 1)],
    "model",
  );
  assert.deepEqual(text.trimEnd().split("\n").map((l) => l.split(/\s{2,}/)), [
    ["MODEL", "REQUESTS", "ERRORS", "INPUT", "CACHED", "OUTPUT", "REASONING", "COST", "UNPRICED"],
    ["gpt-4o", "2", "0", "20", "0", "10", "0", "$0.125", "0"],
    ["(none)", "1", "0", "10", "0", "5", "0", "$0", "1"],
    ["total", "3", "0", "30", "0", "15", "0", "$0.125", "1"],
  ]);
  assert.equal(usageTable([], "day"), "No usage recorded in this range.\n");
  assert.equal(usageTable([group(null, 0, 0)], null), "No usage recorded in this range.\n");
  assert.match(usageTable([group(null, 4, 1)], null), /^total\s+4\s/m);
});

Deno.test("formatUsd: small sums to the micro-dollar, large ones to the cent", () => {
  assert.equal(formatUsd(0), "$0");
  assert.equal(formatUsd(0.00000585), "$0.000006");
  assert.equal(formatUsd(1.5), "$1.5");
  assert.equal(formatUsd(1234.5678), "$1234.57");
});
