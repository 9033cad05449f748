/** `KIND_SETTINGS` (the SDK-free list the CLI checks config files with) is `PROVIDER_KINDS`. */
import assert from "node:assert/strict";
import { KIND_SETTINGS } from "../../../core/providers/kind_settings.ts";
import { PROVIDER_KINDS } from "../../../core/providers/registry.ts";

Deno.test("KIND_SETTINGS lists every registered kind, in order, with the same schema", () => {
  assert.deepEqual(KIND_SETTINGS.map((k) => k.name), PROVIDER_KINDS.map((k) => k.name));
  KIND_SETTINGS.forEach((k, i) => assert.equal(k.settings, PROVIDER_KINDS[i].settings, k.name));
});
