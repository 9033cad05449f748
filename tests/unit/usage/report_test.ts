import assert from "node:assert/strict";
import { GatewayError } from "../../../core/errors.ts";
import { parseUsageQuery } from "../../../core/usage/report.ts";

Deno.test("usage query: ISO dates (UTC), date-times with or without a zone, unix seconds", () => {
  const day = Date.UTC(2027, 0, 15);
  assert.deepEqual(parseUsageQuery({ from: "2027-01-15" }), { from: day });
  assert.deepEqual(parseUsageQuery({ from: "2027-01-15T10:00:00Z" }), { from: day + 36e5 * 10 });
  assert.deepEqual(parseUsageQuery({ from: "2027-01-15T10:00" }), { from: day + 36e5 * 10 });
  assert.deepEqual(parseUsageQuery({ from: "2027-01-15T12:00:00+02:00" }), {
    from: day + 36e5 * 10,
  });
  assert.deepEqual(parseUsageQuery({ to: String(day / 1000) }), { to: day });
  assert.deepEqual(parseUsageQuery({ to: day / 1000 + 0.5 }), { to: day + 500 });
  assert.deepEqual(
    parseUsageQuery({ key: "key_a", team: "red", model: "smart", group_by: "day", from: "" }),
    { keyId: "key_a", team: "red", model: "smart", groupBy: "day" },
  );
  assert.deepEqual(parseUsageQuery({}), {});
});

Deno.test("usage query: bad values are 400s naming the parameter", () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ from: "yesterday" }, "from"],
    [{ from: "2027-02-30x" }, "from"],
    [{ to: "2027-13-01" }, "to"],
    [{ from: "2027-02-30" }, "from"], // no such day: not rolled over to March 2
    [{ to: "2027-04-31T10:00:00Z" }, "to"],
    [{ to: -5 }, "to"],
    [{ from: "2027-02-01", to: "2027-01-01" }, "to"],
    [{ group_by: "week" }, "group_by"],
    [{ key: 5 }, "key"],
    [{ groupBy: "day" }, "groupBy"],
  ];
  for (const [params, param] of cases) {
    assert.throws(() => parseUsageQuery(params), (error: unknown) => {
      assert.ok(error instanceof GatewayError, JSON.stringify(params));
      assert.equal(error.kind, "invalid_request");
      assert.equal(error.param, param, JSON.stringify(params));
      assert.ok(error.message.includes(param), error.message);
      return true;
    });
  }
});
