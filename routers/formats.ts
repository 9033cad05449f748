/**
 * tRPC `formats.detect` and `formats.convert`: the same detection and converters as the HTTP
 * route, with no upstream call.
 */
import { z } from "zod";
import { GatewayError } from "../core/errors.ts";
import { codecOf, detectFormat, FORMATS, parseAnyRequest } from "../core/formats/registry.ts";
import { findReservedKey } from "./superjson_keys.ts";
import { authedProcedure, router } from "./trpc.ts";

const bodyInput = z.object({ body: z.unknown() });

/** The formats router. */
export const formatsRouter = router({
  detect: authedProcedure.input(bodyInput).query(({ input }) => ({
    format: detectFormat(input.body),
  })),
  convert: authedProcedure
    .input(bodyInput.extend({ to: z.enum(FORMATS) }))
    .mutation(({ input }) => {
      const parsed = parseAnyRequest(input.body);
      const body = codecOf(input.to).fromCanonical(
        codecOf(parsed.format).toCanonical(parsed.request),
      );
      // Unknown fields are kept, so the answer may hold keys superjson refuses to send.
      const reserved = findReservedKey(body);
      if (reserved !== undefined) {
        throw new GatewayError(
          "invalid_request",
          `The converted body has a property named '${reserved.key}' (at ${reserved.path}), ` +
            `which the tRPC transport cannot carry (superjson refuses ` +
            `__proto__, constructor and prototype keys); rename or remove it.`,
          { code: "invalid_value", param: "body" },
        );
      }
      return { from: parsed.format, to: input.to, body };
    }),
});
