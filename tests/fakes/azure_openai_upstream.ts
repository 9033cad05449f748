/**
 * A fake Azure OpenAI resource for tests: the fake OpenAI upstream (`openai_upstream.ts`: same
 * scripts, replies and recorded requests) behind Azure's URL scheme and credentials. It answers
 * only `{endpoint}/openai/deployments/{deployment}/{chat/completions|completions|embeddings}` for
 * its deployments and `{endpoint}/openai/models`, each with an `api-version` query parameter,
 * and only with its `api-key` (or `Authorization: Bearer <adToken>`); anything else gets Azure's
 * error (404 `Resource not found` or `DeploymentNotFound`, 401 `Access denied…`).
 *
 * @example
 * await using azure = await startFakeAzureOpenAI({ apiKey: "az-key", deployments: ["prod-4o"] });
 * azure.script(completion({ content: "Hi" }));
 * // endpoint: azure.endpoint … then:
 * azureCall(azure.chatRequests[0]); // { deployment: "prod-4o", apiVersion: "2024-10-21", … }
 */
import { type FakeOpenAI, type RecordedRequest, startFakeOpenAI } from "./openai_upstream.ts";

export * from "./openai_upstream.ts";

/** Options of {@link startFakeAzureOpenAI}. */
export interface FakeAzureOptions {
  /** The `api-key` it takes. */
  apiKey?: string;
  /** The Entra ID token it takes as `Authorization: Bearer …`. */
  adToken?: string;
  /** Its deployment names. */
  deployments: string[];
}

/** A running fake Azure resource. */
export interface FakeAzureOpenAI extends FakeOpenAI {
  /** `http://127.0.0.1:<port>`, the resource endpoint. */
  endpoint: string;
}

/** What an Azure request named: its deployment, operation, `api-version` and credentials. */
export interface AzureCall {
  deployment?: string;
  /** `chat/completions`, `embeddings`, `models`… */
  operation: string;
  apiVersion: string | null;
  apiKey: string | null;
  authorization: string | null;
}

const DEPLOYMENT_PATH =
  /^\/openai\/deployments\/([^/]+)\/(chat\/completions|completions|embeddings)$/;

/**
 * Reads a recorded request as Azure does.
 *
 * @example
 * azureCall(azure.chatRequests[0]).deployment; // "prod-4o"
 */
export function azureCall(request: RecordedRequest): AzureCall {
  const scoped = DEPLOYMENT_PATH.exec(request.path);
  return {
    deployment: scoped === null ? undefined : decodeURIComponent(scoped[1]),
    operation: scoped?.[2] ?? request.path.replace(/^\/openai\//, ""),
    apiVersion: new URLSearchParams(request.search).get("api-version"),
    apiKey: request.headers.get("api-key"),
    authorization: request.headers.get("authorization"),
  };
}

function azureError(status: number, code: string, message: string): Response {
  return new Response(JSON.stringify({ error: { code, message } }), {
    status,
    headers: { "content-type": "application/json", "apim-request-id": crypto.randomUUID() },
  });
}

/** Starts the fake on `127.0.0.1` with a free port. */
export async function startFakeAzureOpenAI(options: FakeAzureOptions): Promise<FakeAzureOpenAI> {
  const gate = (request: RecordedRequest): Response | undefined => {
    const call = azureCall(request);
    const known = call.deployment !== undefined || request.path === "/openai/models";
    if (!known || call.apiVersion === null) {
      return azureError(404, "404", "Resource not found");
    }
    const keyOk = options.apiKey !== undefined && call.apiKey === options.apiKey;
    const tokenOk = options.adToken !== undefined &&
      call.authorization === `Bearer ${options.adToken}`;
    if (!keyOk && !tokenOk) {
      return azureError(
        401,
        "401",
        "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.",
      );
    }
    if (call.deployment !== undefined && !options.deployments.includes(call.deployment)) {
      return azureError(
        404,
        "DeploymentNotFound",
        "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.",
      );
    }
    return undefined;
  };
  const fake = await startFakeOpenAI({ gate });
  return Object.assign(fake, { endpoint: new URL(fake.url).origin });
}
