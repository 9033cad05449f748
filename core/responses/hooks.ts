/**
 * Stored responses behind the Responses API's hooks (`ResponsesHooks`): `prepare` puts the
 * stored conversation of `previous_response_id` in front of the request's input, so a
 * conversation continues on any provider; `save` keeps a finished Response (unless
 * `store: false`) with its input items, before the client sees the answer's end. A store that
 * fails to save is logged; the answer still goes out.
 */
import { inputItems, type ResponsesRequest } from "../formats/openai_responses/schema.ts";
import { fromStore } from "../store/errors.ts";
import type { Logger } from "../logger.ts";
import type { JsonObject, ResponseRepository, StoredResponse } from "../store/store.ts";
import { asInput, historyOf, recordOf } from "./conversation.ts";
import { listedInput } from "./input_items.ts";
import { previousResponseNotFound, type ResponsesHooks } from "./prepare.ts";

/** What the hooks need besides the repository. */
export interface StoredResponsesOptions {
  ttlDays: number;
  now: () => Date;
  newId: (prefix: string) => string;
  logger: Logger;
}

/** The conversation a prepared request continues, and its own input. */
interface Continuation {
  previous?: StoredResponse;
  ownInput: JsonObject[];
}

/** The Responses hooks over a repository of stored responses. */
export function storedResponsesHooks(
  responses: ResponseRepository,
  options: StoredResponsesOptions,
): Required<ResponsesHooks> {
  const unix = () => Math.floor(options.now().getTime() / 1000);
  const continuations = new WeakMap<ResponsesRequest, Continuation>();
  return {
    async prepare(request) {
      const id = request.previous_response_id as string;
      const previous = await fromStore(responses.get(id, unix()));
      if (previous === undefined) throw previousResponseNotFound(id);
      const history = historyOf(previous).map(asInput);
      const ownInput = inputItems(request) as JsonObject[];
      // `previous_response_id` stays for the Response's echo; the native body drops it.
      const prepared = { ...request, input: [...history, ...ownInput] } as ResponsesRequest;
      continuations.set(prepared, { previous, ownInput });
      return { request: prepared, historyItems: history.length };
    },
    async save(response, request) {
      if (request.store === false) return;
      const continuation = continuations.get(request) ??
        { ownInput: inputItems(request) as JsonObject[] };
      const record = recordOf({
        response: response as unknown as JsonObject,
        inputItems: listedInput(continuation.ownInput, options.newId),
        previous: continuation.previous,
        now: unix(),
        ttlDays: options.ttlDays,
      });
      try {
        await responses.put(record);
      } catch (error) {
        options.logger.warn("stored response not saved", { id: record.id, error: String(error) });
      }
    },
  };
}
