import assert from "node:assert/strict";
import { abortConnection } from "../../../server/listener.ts";

Deno.test("abortConnection: a BadResource from a listener (the peer closed first) does not end the isolate; other errors still surface", () => {
  const closing = new AbortController();
  let ran = false;
  closing.signal.addEventListener("abort", () => {
    ran = true;
    throw new Deno.errors.BadResource("Bad resource ID");
  });
  abortConnection(closing); // would be an uncaught error without the guard
  assert.ok(ran && closing.signal.aborted);

  // Anything else a listener throws is still reported as uncaught (seen here, then kept from
  // failing the test), and a BadResource outside the call is not hidden either.
  const reported: unknown[] = [];
  const seen = (event: ErrorEvent) => {
    reported.push(event.error);
    event.preventDefault();
  };
  globalThis.addEventListener("error", seen);
  try {
    const other = new AbortController();
    other.signal.addEventListener("abort", () => {
      throw new TypeError("a real bug");
    });
    abortConnection(other);
    const outside = new AbortController();
    outside.signal.addEventListener("abort", () => {
      throw new Deno.errors.BadResource("outside");
    });
    outside.abort();
  } finally {
    globalThis.removeEventListener("error", seen);
  }
  assert.equal(reported.length, 2);
  assert.ok(reported[0] instanceof TypeError);
  assert.ok(reported[1] instanceof Deno.errors.BadResource);
});
