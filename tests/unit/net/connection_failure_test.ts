import assert from "node:assert/strict";
import {
  describeConnectionFailure,
  unreachableMessage,
} from "../../../core/net/connection_failure.ts";

const nodeError = (code: string, fields: Record<string, unknown>) =>
  Object.assign(new Error(`connect ${code}`), { code, ...fields });
const fetchError = (inner: string) =>
  new Error("Connection error.", {
    cause: new TypeError("fetch failed", { cause: new Error(inner) }),
  });

Deno.test("describeConnectionFailure: host and cause from node:http and fetch errors", async (t) => {
  const rows: Array<[string, unknown, string | undefined, string]> = [
    [
      "node refused",
      nodeError("ECONNREFUSED", { address: "127.0.0.1", port: 9 }),
      "127.0.0.1:9",
      "connection refused",
    ],
    [
      "node DNS",
      nodeError("ENOTFOUND", { hostname: "bedrock.invalid" }),
      "bedrock.invalid",
      "DNS lookup failed",
    ],
    [
      "node reset, wrapped",
      new Error("x", { cause: nodeError("ECONNRESET", {}) }),
      undefined,
      "connection reset",
    ],
    [
      "fetch DNS",
      fetchError(
        "error sending request for url (http://nope.invalid/v1/models): client error (Connect): dns error: failed to lookup address information",
      ),
      "nope.invalid",
      "DNS lookup failed",
    ],
    [
      "fetch refused, credentials in the URL are not repeated",
      fetchError(
        "error sending request for url (http://user:secret@127.0.0.1:4/v1/chat/completions?key=k): client error (Connect): tcp connect error: Connection refused (os error 111)",
      ),
      "127.0.0.1:4",
      "connection refused",
    ],
    [
      "fetch TLS",
      fetchError(
        "error sending request for url (https://127.0.0.1:8443/v1/models): client error (Connect): received corrupt message of type InvalidContentType",
      ),
      "127.0.0.1:8443",
      "TLS handshake failed",
    ],
    ["unknown", new Error("???"), undefined, "network error"],
  ];
  for (const [name, error, host, cause] of rows) {
    await t.step(name, () => assert.deepEqual(describeConnectionFailure(error), { host, cause }));
  }
  await t.step("the sentence never carries secrets from the URL", () => {
    const message = unreachableMessage("The OpenAI upstream", rows[4][1]);
    assert.equal(
      message,
      "The OpenAI upstream at 127.0.0.1:4 could not be reached (connection refused).",
    );
    assert.doesNotMatch(message, /secret|key=/);
  });
});
