/**
 * A spawned gateway (key `apiKey`) against the fake OpenAI upstream, behind a recording proxy
 * that sees every URL a client sends: for tests that prove no key or input travels in a URL.
 *
 * @example
 * await using env = await proxiedGateway("k");
 * const client = createGatewayClient({ url: env.proxy.url, apiKey: "k" });
 */
import { type FakeOpenAI, startFakeOpenAI } from "../fakes/openai_upstream.ts";
import { type RecordingProxy, startRecordingProxy } from "./recording_proxy.ts";
import { type SpawnedGateway, spawnGateway } from "./server.ts";

/** The three processes, disposed together (proxy, gateway, then upstream). */
export interface ProxiedGateway extends AsyncDisposable {
  fake: FakeOpenAI;
  gw: SpawnedGateway;
  proxy: RecordingProxy;
  /** The requests to `chat.stream` the proxy saw. */
  streams(): RecordingProxy["requests"];
}

/** Starts the upstream, the gateway and the proxy. */
export async function proxiedGateway(apiKey: string): Promise<ProxiedGateway> {
  const fake = await startFakeOpenAI();
  let gw: SpawnedGateway;
  try {
    gw = await spawnGateway({ API_KEY: apiKey, OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  } catch (error) {
    await fake[Symbol.asyncDispose]();
    throw error;
  }
  const proxy = startRecordingProxy(gw.url);
  return {
    fake,
    gw,
    proxy,
    streams: () => proxy.requests.filter((r) => r.url.startsWith("/trpc/chat.stream")),
    async [Symbol.asyncDispose]() {
      await proxy[Symbol.asyncDispose]();
      await gw[Symbol.asyncDispose]();
      await fake[Symbol.asyncDispose]();
    },
  };
}
