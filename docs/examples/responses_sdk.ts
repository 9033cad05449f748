/**
 * The official clients against the gateway's newer endpoints: the Responses API (`create`, a
 * continued conversation, `stream` + `finalResponse`), embeddings, and Anthropic's token count.
 * Run (with the gateway started by `deno task start`):
 *
 *   deno run --allow-net --allow-env docs/examples/responses_sdk.ts
 *
 * GATEWAY_URL (default http://127.0.0.1:8000), GATEWAY_API_KEY (a key of API_KEY, if set),
 * MODEL (default mock-echo) and EMBED_MODEL (default mock-embed) are read from the environment.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";

const gateway = Deno.env.get("GATEWAY_URL") ?? "http://127.0.0.1:8000";
const apiKey = Deno.env.get("GATEWAY_API_KEY") ?? "unused-without-API_KEY";
const model = Deno.env.get("MODEL") ?? "mock-echo";
const openai = new OpenAI({ baseURL: `${gateway}/v1`, apiKey });

// One answer, then a second turn that continues it (the gateway stores responses).
const first = await openai.responses.create({ model, input: "Hello from the Responses API" });
console.log(first.output_text);
const second = await openai.responses.create({
  model,
  previous_response_id: first.id,
  input: "and a second turn",
});
const items = await openai.responses.inputItems.list(second.id, { order: "asc" });
console.log(`${second.output_text} (${items.data.length} input items)`);

// A stream, accumulated by the SDK's helper.
const stream = openai.responses.stream({ model, input: "streamed as response events" });
stream.on("response.output_text.delta", (event) => {
  Deno.stdout.writeSync(new TextEncoder().encode(event.delta));
});
const final = await stream.finalResponse();
console.log(`\n${final.usage?.output_tokens} output tokens`);

// Embeddings (the SDK asks for base64 and decodes it).
const embedding = await openai.embeddings.create({
  model: Deno.env.get("EMBED_MODEL") ?? "mock-embed",
  input: ["a gateway", "routes requests"],
});
console.log(`${embedding.data.length} vectors of ${embedding.data[0].embedding.length}`);

// Anthropic's token count.
const anthropic = new Anthropic({ baseURL: gateway, apiKey });
const count = await anthropic.messages.countTokens({
  model,
  messages: [{ role: "user", content: "How many tokens is this?" }],
});
console.log(`${count.input_tokens} input tokens`);
