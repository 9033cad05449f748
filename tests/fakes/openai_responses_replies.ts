/**
 * Replies of the fake OpenAI upstream's `POST /v1/responses`: a scripted answer (text, function
 * calls, reasoning, status, usage) rendered as OpenAI renders it — a Response object, or the
 * stream of named events OpenAI sends (`response.created` … `response.completed`, each with its
 * `sequence_number`), written here independently of the gateway's encoder.
 */

/** One scripted Responses answer. */
export interface ResponsesAnswer {
  text?: string;
  calls?: Array<{ name: string; arguments: string; call_id?: string }>;
  /** A reasoning summary, with OpenAI's opaque encrypted content. */
  reasoning?: { summary: string; encrypted_content?: string };
  status?: "completed" | "incomplete";
  usage?: { input_tokens: number; output_tokens: number; cached?: number; reasoning?: number };
  /** Stream only: stop after this many events, then drop the connection. */
  cutAfter?: number;
}

/** The fake's Response id. */
export const FAKE_RESPONSE_ID = "resp_fake_1";

type Item = Record<string, unknown>;

function items(answer: ResponsesAnswer): Item[] {
  const out: Item[] = [];
  if (answer.reasoning) {
    out.push({
      id: "rs_fake_0",
      type: "reasoning",
      summary: [{ type: "summary_text", text: answer.reasoning.summary }],
      ...(answer.reasoning.encrypted_content
        ? { encrypted_content: answer.reasoning.encrypted_content }
        : {}),
    });
  }
  if (answer.text !== undefined) {
    out.push({
      id: "msg_fake_0",
      type: "message",
      role: "assistant",
      status: "completed",
      content: [{ type: "output_text", text: answer.text, annotations: [], logprobs: [] }],
    });
  }
  (answer.calls ?? []).forEach((call, i) =>
    out.push({
      id: `fc_fake_${i}`,
      type: "function_call",
      status: "completed",
      call_id: call.call_id ?? `call_fake_${i}`,
      name: call.name,
      arguments: call.arguments,
    })
  );
  return out;
}

/**
 * The Response object of an answer to `request`.
 *
 * @example
 * responseBody({ text: "Hi" }, { model: "gpt-4o" }).status; // "completed"
 */
export function responseBody(answer: ResponsesAnswer, request: Record<string, unknown>): Item {
  const u = answer.usage ?? { input_tokens: 5, output_tokens: 3 };
  const status = answer.status ?? "completed";
  return {
    id: FAKE_RESPONSE_ID,
    object: "response",
    created_at: 1_700_000_000,
    status,
    error: null,
    incomplete_details: status === "incomplete" ? { reason: "max_output_tokens" } : null,
    instructions: request.instructions ?? null,
    model: String(request.model ?? "gpt-4o") + "-2024-08-06",
    output: items(answer),
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: request.store ?? true,
    temperature: 1,
    text: { format: { type: "text" } },
    tool_choice: "auto",
    tools: request.tools ?? [],
    top_p: 1,
    truncation: "disabled",
    usage: {
      input_tokens: u.input_tokens,
      input_tokens_details: { cached_tokens: u.cached ?? 0 },
      output_tokens: u.output_tokens,
      output_tokens_details: { reasoning_tokens: u.reasoning ?? 0 },
      total_tokens: u.input_tokens + u.output_tokens,
    },
    user: null,
    metadata: {},
  };
}

/**
 * The events OpenAI streams for an answer, in order.
 *
 * @example
 * responseEvents({ text: "Hi" }, { model: "gpt-4o" })[0].type; // "response.created"
 */
export function responseEvents(answer: ResponsesAnswer, request: Record<string, unknown>): Item[] {
  const final = responseBody(answer, request);
  const started = { ...final, status: "in_progress", output: [], usage: null };
  const events: Item[] = [
    { type: "response.created", response: started },
    { type: "response.in_progress", response: started },
  ];
  (final.output as Item[]).forEach((item, output_index) => {
    const item_id = item.id;
    if (item.type === "message") {
      const text = String((item.content as Item[])[0].text);
      const part = { type: "output_text", text: "", annotations: [], logprobs: [] };
      events.push({
        type: "response.output_item.added",
        output_index,
        item: { ...item, status: "in_progress", content: [] },
      });
      events.push({
        type: "response.content_part.added",
        item_id,
        output_index,
        content_index: 0,
        part,
      });
      for (const delta of text.match(/.{1,4}/gs) ?? []) {
        events.push({
          type: "response.output_text.delta",
          item_id,
          output_index,
          content_index: 0,
          delta,
          logprobs: [],
        });
      }
      events.push({
        type: "response.output_text.done",
        item_id,
        output_index,
        content_index: 0,
        text,
        logprobs: [],
      });
      events.push({
        type: "response.content_part.done",
        item_id,
        output_index,
        content_index: 0,
        part: { ...part, text },
      });
    } else if (item.type === "function_call") {
      const args = String(item.arguments);
      events.push({
        type: "response.output_item.added",
        output_index,
        item: { ...item, status: "in_progress", arguments: "" },
      });
      for (const delta of args.match(/.{1,5}/gs) ?? []) {
        events.push({
          type: "response.function_call_arguments.delta",
          item_id,
          output_index,
          delta,
        });
      }
      events.push({
        type: "response.function_call_arguments.done",
        item_id,
        output_index,
        arguments: args,
      });
    } else {
      const text = String((item.summary as Item[])[0].text);
      events.push({
        type: "response.output_item.added",
        output_index,
        item: { ...item, summary: [] },
      });
      events.push({
        type: "response.reasoning_summary_part.added",
        item_id,
        output_index,
        summary_index: 0,
        part: { type: "summary_text", text: "" },
      });
      events.push({
        type: "response.reasoning_summary_text.delta",
        item_id,
        output_index,
        summary_index: 0,
        delta: text,
      });
      events.push({
        type: "response.reasoning_summary_text.done",
        item_id,
        output_index,
        summary_index: 0,
        text,
      });
      events.push({
        type: "response.reasoning_summary_part.done",
        item_id,
        output_index,
        summary_index: 0,
        part: { type: "summary_text", text },
      });
    }
    events.push({ type: "response.output_item.done", output_index, item });
  });
  events.push({
    type: final.status === "incomplete" ? "response.incomplete" : "response.completed",
    response: final,
  });
  const all = events.map((event, sequence_number) => ({ ...event, sequence_number }));
  return answer.cutAfter === undefined ? all : all.slice(0, answer.cutAfter);
}
