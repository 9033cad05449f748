/**
 * The typed tRPC client against the gateway: health, models, one answer, then a stream.
 * Run (with the gateway started by `deno task start`):
 *
 *   deno run --allow-net --allow-env docs/examples/trpc_client.ts
 *
 * GATEWAY_URL (default http://127.0.0.1:8000) and GATEWAY_API_KEY (a key of API_KEY, if set) are
 * read from the environment.
 */
import { createGatewayClient } from "../../routers/client.ts";

const gateway = createGatewayClient({
  url: Deno.env.get("GATEWAY_URL") ?? "http://127.0.0.1:8000",
  apiKey: Deno.env.get("GATEWAY_API_KEY"),
});

const health = await gateway.health.query(); // { status, version, providers, credentials }
console.log(`gateway ${health.version}: ${health.status}`);
const models = await gateway.models.list.query(); // { object: "list", data: [...] }
console.log(`${models.data.length} models`);

const completion = await gateway.chat.complete.mutate({
  model: "mock-echo",
  messages: [{ role: "user", content: "hello over tRPC" }],
});
console.log(completion.choices[0].message.content);

// Streaming: chat.completion.chunk objects, typed end to end. The request is a POST (the input
// in its body, however long); pass `{ signal }` as the second argument to cancel it. An error
// throws a TRPCClientError whose `data.gateway` carries { type, code, param }.
const chunks = await gateway.chat.stream.mutate({
  model: "mock-echo",
  messages: [{ role: "user", content: "streamed over tRPC" }],
});
for await (const chunk of chunks) {
  Deno.stdout.writeSync(new TextEncoder().encode(chunk.choices[0]?.delta.content ?? ""));
}
console.log();
