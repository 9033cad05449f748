/**
 * Shared setup of the agent e2e tests (Codex CLI, `@openai/agents`, the Vercel AI SDK): the
 * fake OpenAI upstream and the fake Bedrock runtime answering with the scripted model of
 * `scripted_upstreams.ts`, and a spawned gateway (the `start` task, on loopback, with a key)
 * pointed at both.
 *
 * @example
 * await using s = await agentsGateway();
 * new OpenAI({ baseURL: `${s.url}/v1`, apiKey: AGENTS_GATEWAY_KEY });
 */
import { type FakeBedrock, startFakeBedrock } from "../fakes/bedrock_runtime.ts";
import { type FakeOpenAI, startFakeOpenAI } from "../fakes/openai_upstream.ts";
import { fakeUpstreamEnv, spawnGateway } from "../helpers/server.ts";
import { chatResponder, converseResponder, responsesResponder } from "./scripted_upstreams.ts";

/** The gateway's `API_KEY` in these tests. */
export const AGENTS_GATEWAY_KEY = "gw-agents-key";

/** A Claude model on Bedrock: an OpenAI-shaped request reaches it through Converse. */
export const BEDROCK_CLAUDE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

/** The spawned gateway and its two fakes. */
export interface AgentsGateway extends AsyncDisposable {
  /** The gateway's origin (`http://127.0.0.1:<port>`); the OpenAI base URL is `${url}/v1`. */
  url: string;
  openai: FakeOpenAI;
  bedrock: FakeBedrock;
  /** The gateway's structured log lines so far. */
  logs(): Array<Record<string, unknown>>;
}

/**
 * Starts both fakes (scripted) and a gateway in front of them; `env` adds settings (e.g.
 * `OPENAI_RESPONSES_API: "true"`: the fake OpenAI upstream gets `/responses` bodies natively,
 * otherwise chat completions).
 */
export async function agentsGateway(
  env: Record<string, string | undefined> = {},
): Promise<AgentsGateway> {
  const openai = await startFakeOpenAI();
  const bedrock = startFakeBedrock();
  openai.respondWith(chatResponder());
  openai.respondToResponses(responsesResponder());
  bedrock.respondWith(converseResponder());
  try {
    const gw = await spawnGateway({
      API_KEY: AGENTS_GATEWAY_KEY,
      ...fakeUpstreamEnv({ openai: openai.url, bedrock: bedrock.url }),
      ...env,
    });
    return {
      url: gw.url,
      openai,
      bedrock,
      logs: gw.logs,
      async [Symbol.asyncDispose]() {
        await gw.stop();
        await openai.close();
        await bedrock.close();
      },
    };
  } catch (error) {
    await openai.close();
    await bedrock.close();
    throw error;
  }
}
