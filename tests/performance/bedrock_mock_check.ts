/**
 * Self-check of the benchmark's Bedrock mock: the real `BedrockRuntimeClient` (SigV4, event-stream
 * decoding with CRC checks) is pointed at it and must read the Converse answer and every
 * ConverseStream frame.
 *
 * Standalone: `deno run --allow-net --allow-env --allow-read --allow-sys
 * tests/performance/bedrock_mock_check.ts` starts the mock in process and checks it.
 */
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { ANSWER_TEXT, createHandler, STREAM_CHUNKS } from "./mock_upstream.ts";

/** The model id the benchmark uses for Bedrock. */
export const BEDROCK_MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0";

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(`Bedrock mock self-check failed: ${message}`);
}

/** Checks the mock at `origin` with the real SDK; resolves with a one-line summary. */
export async function checkBedrockMock(origin: string): Promise<string> {
  const client = new BedrockRuntimeClient({
    region: "us-east-1",
    endpoint: origin,
    credentials: { accessKeyId: "AKIDBENCHMARK000000", secretAccessKey: "bench-secret-key" },
    maxAttempts: 1,
  });
  try {
    const input = {
      modelId: BEDROCK_MODEL,
      messages: [{ role: "user" as const, content: [{ text: "Say something short." }] }],
      inferenceConfig: { maxTokens: 64 },
    };
    const answer = await client.send(new ConverseCommand(input));
    const text = answer.output?.message?.content?.map((b) => b.text ?? "").join("");
    expect(text === ANSWER_TEXT, `Converse text ${JSON.stringify(text)}`);
    expect(answer.stopReason === "end_turn", `Converse stopReason ${answer.stopReason}`);
    expect(answer.usage?.outputTokens === STREAM_CHUNKS, "Converse usage");

    const streamed = await client.send(new ConverseStreamCommand(input));
    expect(streamed.stream !== undefined, "ConverseStream without a stream");
    const counts: Record<string, number> = {};
    let streamedText = "";
    let stopReason: string | undefined;
    let outputTokens: number | undefined;
    for await (const event of streamed.stream!) {
      const type = Object.keys(event).find((k) =>
        (event as unknown as Record<string, unknown>)[k]
      ) ?? "?";
      counts[type] = (counts[type] ?? 0) + 1;
      streamedText += event.contentBlockDelta?.delta?.text ?? "";
      stopReason ??= event.messageStop?.stopReason;
      outputTokens ??= event.metadata?.usage?.outputTokens;
    }
    expect(streamedText === ANSWER_TEXT, `ConverseStream text ${JSON.stringify(streamedText)}`);
    expect(counts.messageStart === 1 && counts.contentBlockStop === 1, "ConverseStream frames");
    expect(counts.contentBlockDelta === STREAM_CHUNKS, `deltas ${counts.contentBlockDelta}`);
    expect(stopReason === "end_turn", `ConverseStream stopReason ${stopReason}`);
    expect(outputTokens === STREAM_CHUNKS, "ConverseStream metadata usage");
    const frames = Object.entries(counts).map(([k, n]) => `${k}×${n}`).join(" ");
    return `Converse ok; ConverseStream ok (${frames})`;
  } finally {
    client.destroy();
  }
}

if (import.meta.main) {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    createHandler(),
  );
  try {
    console.log(await checkBedrockMock(`http://127.0.0.1:${server.addr.port}`));
  } finally {
    await server.shutdown();
  }
}
