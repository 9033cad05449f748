/**
 * tRPC `formats.detect` and `formats.convert`: the same detection and converters as the HTTP
 * route, with no upstream call.
 */
import { z } from "zod";
import { requestAs, toCanonical } from "../core/chat/translate.ts";
import { detectFormat, FORMATS, parseAnyRequest } from "../core/formats/detect.ts";
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
      return { from: parsed.format, to: input.to, body: requestAs(input.to, toCanonical(parsed)) };
    }),
});
