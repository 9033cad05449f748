/**
 * tRPC `responses.create` (mutation, one Response object) and `responses.stream` (mutation
 * answering an async iterable of Responses stream events, JSON lines over POST, like
 * `chat.stream`), on the same schema, preparation and chat service as `POST /v1/responses`.
 */
import { prepareResponsesRequest } from "../core/chat/responses_request.ts";
import { shuttingDownError } from "../core/errors.ts";
import { responsesRequestSchema } from "../core/formats/openai_responses/schema.ts";
import type { ResponseObject } from "../core/formats/openai_responses/wire.ts";
import { findNonJsonValue } from "./json_values.ts";
import { authedProcedure, router } from "./trpc.ts";

/** The Responses request schema, JSON data only (see `chat.ts`). */
const responsesInput = responsesRequestSchema.superRefine((request, ctx) => {
  const found = findNonJsonValue(request);
  if (found !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: found.path,
      message: `must be JSON data, not ${found.kind}`,
    });
  }
});

/** One Responses stream event (`type`, `sequence_number`, and the event's fields). */
export type ResponsesStreamEvent =
  & { type: string; sequence_number: number }
  & Record<
    string,
    unknown
  >;

async function* untilShutdown(
  events: AsyncIterable<unknown>,
  cut: () => boolean,
): AsyncGenerator<ResponsesStreamEvent, void, undefined> {
  try {
    for await (const event of events) yield event as ResponsesStreamEvent;
  } catch (error) {
    throw cut() ? shuttingDownError() : error;
  }
  if (cut()) throw shuttingDownError();
}

/** The responses router. */
export const responsesRouter = router({
  create: authedProcedure.input(responsesInput).mutation(
    async ({ ctx, input, signal }): Promise<ResponseObject> => {
      const client = signal ?? ctx.signal;
      const { request } = await prepareResponsesRequest({ ...input, stream: false }, {}, client);
      const outcome = await ctx.chat.respond(
        { format: "openai_responses", request },
        "openai_responses",
        { signal: client, meta: ctx.meta },
      );
      return (outcome as { body: ResponseObject }).body;
    },
  ),
  // Resolves once the upstream produced its first event (errors before that are the call's).
  stream: authedProcedure.input(responsesInput).mutation(async ({ ctx, input, signal }) => {
    const client = signal ?? ctx.signal;
    const { shutdown } = ctx;
    const cut = () => shutdown.aborted && !client.aborted;
    try {
      const { request } = await prepareResponsesRequest({ ...input, stream: true }, {}, client);
      const outcome = await ctx.chat.respond(
        { format: "openai_responses", request },
        "openai_responses",
        { signal: AbortSignal.any([client, shutdown]), meta: ctx.meta },
      );
      return untilShutdown((outcome as { events: AsyncIterable<unknown> }).events, cut);
    } catch (error) {
      throw cut() ? shuttingDownError() : error;
    }
  }),
});
