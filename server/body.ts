/**
 * Request body helpers for routes.
 */
import { GatewayError } from "../core/errors.ts";

/** Reads the body as JSON; malformed JSON is a 400 `invalid_json`. */
export async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new GatewayError(
      "invalid_request",
      text.trim() === ""
        ? "The request body is empty; send a JSON object."
        : "The request body is not valid JSON.",
      { code: "invalid_json" },
    );
  }
}
