/**
 * tRPC `responses.create` (mutation, one Response object) and `responses.stream` (mutation
 * answering an async iterable of Responses stream events, JSON lines over POST, like
 * `chat.stream`), on the same schema, preparation and chat service as `POST /v1/responses`.
 */
import { z } from "zod";
import { GatewayError, shuttingDownError } from "../core/errors.ts";
import {
  deleteStoredResponse,
  getStoredResponse,
  INPUT_ITEMS_PAGE,
  listInputItems,
} from "../core/responses/api.ts";
import { prepareResponsesRequest, saverOf } from "../core/responses/prepare.ts";
import type { ResponseRepository } from "../core/store/store.ts";
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
  save?: (event: unknown) => Promise<void> | undefined,
): AsyncGenerator<ResponsesStreamEvent, void, undefined> {
  try {
    for await (const event of events) {
      const saving = save?.(event);
      if (saving !== undefined) await saving;
      yield event as ResponsesStreamEvent;
    }
  } catch (error) {
    throw cut() ? shuttingDownError() : error;
  }
  if (cut()) throw shuttingDownError();
}

/** The stored responses, or the 404 every stored-response call gets without a store. */
function storedOf(responses: ResponseRepository | undefined, id: string): ResponseRepository {
  if (responses !== undefined) return responses;
  throw new GatewayError("not_found", `Response with id '${id}' not found.`, {
    code: "response_not_found",
    param: "response_id",
  });
}

const now = () => new Date();
const responseId = z.object({ id: z.string().min(1) });

/** The responses router. */
export const responsesRouter = router({
  create: authedProcedure.input(responsesInput).mutation(
    async ({ ctx, input, signal }): Promise<ResponseObject> => {
      const client = signal ?? ctx.signal;
      const hooks = ctx.responses ?? {};
      const { request } = await prepareResponsesRequest({ ...input, stream: false }, hooks, client);
      const outcome = await ctx.chat.respond(
        { format: "openai_responses", request },
        "openai_responses",
        { signal: client, meta: ctx.meta },
      );
      const body = (outcome as { body: ResponseObject }).body;
      await saverOf(hooks, request)?.(body);
      return body;
    },
  ),
  // Resolves once the upstream produced its first event (errors before that are the call's).
  stream: authedProcedure.input(responsesInput).mutation(async ({ ctx, input, signal }) => {
    const client = signal ?? ctx.signal;
    const { shutdown } = ctx;
    const cut = () => shutdown.aborted && !client.aborted;
    try {
      const hooks = ctx.responses ?? {};
      const { request } = await prepareResponsesRequest({ ...input, stream: true }, hooks, client);
      const outcome = await ctx.chat.respond(
        { format: "openai_responses", request },
        "openai_responses",
        { signal: AbortSignal.any([client, shutdown]), meta: ctx.meta },
      );
      const events = (outcome as { events: AsyncIterable<unknown> }).events;
      return untilShutdown(events, cut, saverOf(hooks, request));
    } catch (error) {
      throw cut() ? shuttingDownError() : error;
    }
  }),
  /** A stored Response object (`GET /v1/responses/{id}`). */
  get: authedProcedure.input(responseId).query(({ ctx, input }) =>
    getStoredResponse(storedOf(ctx.storedResponses, input.id), input.id, now)
  ),
  /** Deletes a stored response (`DELETE /v1/responses/{id}`). */
  delete: authedProcedure.input(responseId).mutation(({ ctx, input }) =>
    deleteStoredResponse(storedOf(ctx.storedResponses, input.id), input.id, now)
  ),
  /** The items used to generate a stored response (`GET /v1/responses/{id}/input_items`). */
  inputItems: authedProcedure.input(responseId.extend({
    limit: z.int().min(1).max(INPUT_ITEMS_PAGE.max).optional(),
    order: z.enum(["asc", "desc"]).optional(),
    after: z.string().min(1).optional(),
  })).query(({ ctx, input }) =>
    listInputItems(storedOf(ctx.storedResponses, input.id), input.id, input, now)
  ),
});
