/**
 * One chat turn on the terminal: spinner until the first token, the answer printed token by
 * token, tool calls shown, the session updated. Errors are returned explained, not thrown.
 */
import {
  buildRequest,
  type ChatParams,
  formatToolCall,
  withAnswer,
  withUserMessage,
} from "./chat_session.ts";
import type { CliContext } from "./context.ts";
import { type CliError, explainError } from "./errors.ts";
import type { ChatSession } from "./history_store.ts";
import { Spinner } from "./render.ts";
import { completeAnswer, streamAnswer } from "./stream_answer.ts";

/** How a turn ended. */
export type TurnResult =
  | { kind: "answered"; session: ChatSession }
  | { kind: "cancelled" }
  | { kind: "failed"; error: CliError };

/** Options of {@link runTurn}. */
export interface TurnOptions {
  params: ChatParams;
  stream: boolean;
  signal: AbortSignal;
}

/** Asks for an answer to `text`, printing it as it arrives. */
export async function runTurn(
  ctx: CliContext,
  session: ChatSession,
  text: string,
  options: TurnOptions,
): Promise<TurnResult> {
  const asked = withUserMessage(session, text);
  const spinner = new Spinner(ctx.io.stdout, ctx.io.stdoutIsTerminal);
  let printed = "";
  const onToken = (piece: string) => {
    spinner.stop();
    printed += piece;
    ctx.out(piece);
  };
  spinner.start();
  try {
    const ask = options.stream ? streamAnswer : completeAnswer;
    const answer = await ask(ctx.client(), buildRequest(asked, options.params), {
      onToken,
      signal: options.signal,
    });
    spinner.stop();
    if (answer.cancelled) {
      ctx.out(`${printed !== "" ? "\n" : ""}${ctx.style.dim("[cancelled]")}\n`);
      return { kind: "cancelled" };
    }
    if (printed !== "" && !printed.endsWith("\n")) ctx.out("\n");
    for (const call of answer.toolCalls) {
      ctx.out(
        `${ctx.style.magenta("⚙ tool call")} ${ctx.style.bold(formatToolCall(call))}${
          call.id !== "" ? ctx.style.dim(` [${call.id}]`) : ""
        }\n`,
      );
    }
    if (answer.toolCalls.length > 0) {
      ctx.out(ctx.style.dim("(tools are not run by the CLI; the model is told so)\n"));
    }
    if (answer.finishReason === "length") {
      ctx.out(ctx.style.yellow("[answer cut at the token limit: raise --max-tokens]\n"));
    }
    return { kind: "answered", session: withAnswer(asked, answer) };
  } catch (error) {
    spinner.stop();
    if (printed !== "" && !printed.endsWith("\n")) ctx.out("\n");
    return { kind: "failed", error: explainError(error, ctx.errorContext(session.model)) };
  }
}
