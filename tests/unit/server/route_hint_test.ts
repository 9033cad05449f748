import assert from "node:assert/strict";
import { suggestRoute } from "../../../server/route_hint.ts";

Deno.test("suggestRoute: missing /v1, typos, trailing slashes; nothing for the unrelated", async (t) => {
  const rows: Array<[string, string | undefined]> = [
    ["/chat/completions", "/v1/chat/completions"],
    ["/v1/chat/completion", "/v1/chat/completions"],
    ["/v1/chat/Completions", "/v1/chat/completions"],
    ["/v1/chat/completions/", "/v1/chat/completions"],
    ["/v2/chat/completions", "/v1/chat/completions"],
    ["/messages", "/v1/messages"],
    ["/messages/count_tokens", "/v1/messages/count_tokens"],
    ["/v1/messages/count-tokens", "/v1/messages/count_tokens"],
    ["/models/gpt-4o", "/v1/models/gpt-4o"],
    ["/files/file-abc/content", "/v1/files/file-abc/content"],
    ["/v1/model", "/v1/models"],
    ["/healthz", "/health"],
    ["/v1/embeddings", undefined],
    ["/nothing/here", undefined],
    ["/" + "x".repeat(500), undefined],
  ];
  for (const [path, expected] of rows) {
    await t.step(path.slice(0, 40), () => assert.equal(suggestRoute(path), expected));
  }
});
