/**
 * OpenAI's error envelope `{"error":{message, type, param, code}}` (SPEC §3.2–3.4), also used by
 * bedrock_titan.
 */
import { errorType, type GatewayError } from "../../errors.ts";

/** OpenAI's error envelope (openai and bedrock_titan). */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/**
 * OpenAI's error envelope for an error.
 *
 * @example
 * openaiErrorBody(new GatewayError("not_found", "no such model", { code: "model_not_found" }));
 * // { error: { message: "no such model", type: "invalid_request_error", param: null, code: "model_not_found" } }
 */
export function openaiErrorBody(error: GatewayError): OpenAIErrorBody {
  return {
    error: { message: error.message, type: errorType(error), param: error.param, code: error.code },
  };
}
