/**
 * One chat turn on the terminal: spinner until the first token, the answer printed token by
 * token, tool calls shown, the session updated. Errors are returned explained, not thrown.
 */
import {
  buildRequest,
  type ChatParams,
  formatToolCall,
  withAnswer,
  withCancelledAnswer,
  withUserMessage,
} from "./chat_session.ts";
import type { CliContext } from "./context.ts";
import { type CliError, explainError } from "./errors.ts";
import type { ChatSession } from "./history_store.ts";
import { Spinner } from "./render.ts";
import { formatStats } from "./stats.ts";
import { completeAnswer, streamAnswer } from "./stream_answer.ts";

/** How a turn ended. */
export type TurnResult =
  | { kind: "answered"; session: ChatSession }
  | { kind: "cancelled"; session: ChatSession }
  | { kind: "failed"; error: CliError };

/** Options of {@link runTurn}. */
export interface TurnOptions {
  params: ChatParams;
  stream: boolean;
  signal: AbortSignal;
  /** Print the tokens-and-latency footer (on stderr) after the answer. */
  stats?: boolean;
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
  const started = performance.now();
  let firstToken: number | undefined;
  const onToken = (piece: string) => {
    firstToken ??= performance.now();
    spinner.stop();
    printed += piece;
    ctx.out(piece);
  };
  spinner.start();
  try {
    const ask = options.stream ? streamAnswer : completeAnswer;
    const params = { ...options.params, includeUsage: options.stats === true && options.stream };
    const answer = await ask(ctx.client(), buildRequest(asked, params), {
      onToken,
      signal: options.signal,
    });
    spinner.stop();
    const footer = () => {
      if (!options.stats) return;
      const totalMs = performance.now() - started;
      ctx.err(
        ctx.errStyle.dim(formatStats({
          usage: answer.usage,
          firstTokenMs: firstToken === undefined ? undefined : firstToken - started,
          totalMs,
        })) + "\n",
      );
    };
    if (answer.cancelled) {
      ctx.out(`${printed !== "" ? "\n" : ""}${ctx.style.dim("[cancelled]")}\n`);
      footer();
      return { kind: "cancelled", session: withCancelledAnswer(asked, answer.content) };
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
    footer();
    return { kind: "answered", session: withAnswer(asked, answer) };
  } catch (error) {
    spinner.stop();
    if (printed !== "" && !printed.endsWith("\n")) ctx.out("\n");
    return { kind: "failed", error: explainError(error, ctx.errorContext(session.model)) };
  }
}
