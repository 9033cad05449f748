/**
 * Stored Responses API objects: `GET /v1/responses/{id}`, `DELETE /v1/responses/{id}` and
 * `GET /v1/responses/{id}/input_items` (paged like OpenAI's lists), mounted beside
 * `POST /v1/responses`.
 */
import { Hono } from "hono";
import {
  deleteStoredResponse,
  getStoredResponse,
  listInputItems,
} from "../../core/responses/api.ts";
import { GatewayError } from "../../core/errors.ts";
import type { ResponseRepository } from "../../core/store/store.ts";
import type { AppEnv } from "../types.ts";

/** The stored-response routes, mounted at `/v1/responses`. */
export function storedResponsesRoute(
  responses: ResponseRepository,
  now: () => Date = () => new Date(),
): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get("/:id", async (c) => {
      if (c.req.query("stream") === "true") {
        throw new GatewayError(
          "invalid_request",
          "stream: replaying a stored response as events is not supported; omit stream to get the Response object.",
          { param: "stream" },
        );
      }
      return c.json(await getStoredResponse(responses, c.req.param("id"), now));
    })
    .delete(
      "/:id",
      async (c) => c.json(await deleteStoredResponse(responses, c.req.param("id"), now)),
    )
    .get(
      "/:id/input_items",
      async (c) => c.json(await listInputItems(responses, c.req.param("id"), c.req.query(), now)),
    );
}
