/**
 * The official `openai` client against the gateway: one answer, then a stream.
 * Run (with the gateway started by `deno task start`):
 *
 *   deno run --allow-net --allow-env docs/examples/openai_sdk.ts
 *
 * GATEWAY_URL (default http://127.0.0.1:8000), GATEWAY_API_KEY (a key of API_KEY, if set) and
 * MODEL (default mock-echo) are read from the environment.
 */
import OpenAI from "openai";

const client = new OpenAI({
  baseURL: `${Deno.env.get("GATEWAY_URL") ?? "http://127.0.0.1:8000"}/v1`,
  apiKey: Deno.env.get("GATEWAY_API_KEY") ?? "unused-without-API_KEY",
});
const model = Deno.env.get("MODEL") ?? "mock-echo";

const completion = await client.chat.completions.create({
  model,
  messages: [{ role: "user", content: "Hello from the openai SDK" }],
});
console.log(completion.choices[0].message.content);

const stream = await client.chat.completions.create({
  model,
  messages: [{ role: "user", content: "streamed word by word" }],
  stream: true,
});
for await (const chunk of stream) {
  Deno.stdout.writeSync(new TextEncoder().encode(chunk.choices[0]?.delta.content ?? ""));
}
console.log();
