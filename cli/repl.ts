/**
 * The interactive chat loop: prompts, multi-line messages between """ lines, slash commands
 * (`/model` checked against the gateway's models), streamed answers, Ctrl-C handling (one
 * press cancels the answer in progress — however many SIGINTs it sends — and two presses in a
 * row at an empty prompt exit) and saving the session after every answer, a cancelled one
 * included.
 */
import type { ChatParams } from "./chat_session.ts";
import { formatToolCall } from "./chat_session.ts";
import type { CliContext } from "./context.ts";
import { explainError } from "./errors.ts";
import { type ChatSession, contentText, newSession } from "./history_store.ts";
import { onInterrupt } from "./interrupts.ts";
import type { LineSource } from "./line_source.ts";
import { isKnownModel, suggestModels } from "./model_check.ts";
import type { PromptHistory } from "./prompt_history.ts";
import { runTurn } from "./turn.ts";

/** A parsed slash command. */
export interface SlashCommand {
  name: string;
  arg: string;
}

/**
 * Parses `/name rest…`; null when the line is not a slash command.
 *
 * @example
 * parseSlash("/model gpt-4o"); // { name: "model", arg: "gpt-4o" }
 */
export function parseSlash(line: string): SlashCommand | null {
  const match = /^\/([A-Za-z?]+)(?:\s+([\s\S]*))?$/.exec(line.trim());
  if (!match) return null;
  return { name: match[1].toLowerCase(), arg: (match[2] ?? "").trim() };
}

/** The `/help` text. */
export const SLASH_HELP = `Commands:
  /model NAME    switch model, if the gateway serves it (without NAME: show it;
                 "/model --force NAME" switches without the check)
  /system TEXT   set the system prompt (without TEXT: show it; "/system -" removes it)
  /clear         start a new conversation (the current one stays saved)
  /save          save the conversation now and show its file
  /history       show the conversation so far
  /help          this help
  /exit          quit (also /quit, Ctrl-D, or Ctrl-C twice)
Multi-line input: a line with only """ starts it, another line with only """ sends it.
A paste of several lines is one message, indentation kept.
Editing: ←/→, Home/End (Ctrl-A/Ctrl-E), Alt-B/Alt-F by word, Ctrl-W deletes a word, Ctrl-U
to the start, Ctrl-K to the end, ↑/↓ earlier prompts, Ctrl-L clears the screen.
Ctrl-C while an answer arrives cancels it (the partial answer is kept, marked [cancelled]).
`;

/** The line that opens and closes a multi-line message. */
export const BLOCK_FENCE = '"""';

/** Options of {@link runRepl}. */
export interface ReplOptions {
  session: ChatSession;
  params: ChatParams;
  stream: boolean;
  resumed: boolean;
  lines: LineSource;
  /** `lines` is the line editor on a terminal (Ctrl-C at the prompt is a key, not a signal). */
  terminal: boolean;
  /** Prompts typed, for ↑/↓ (and saved for the next session). */
  history?: PromptHistory;
  /** Print the tokens-and-latency footer after each answer. */
  stats?: boolean;
}

/** Runs the REPL until /exit, end of input or a second Ctrl-C. Returns the exit status. */
export async function runRepl(ctx: CliContext, options: ReplOptions): Promise<number> {
  const { style } = ctx;
  const store = ctx.history();
  const { lines, history } = options;
  let session = options.session;
  let saved = options.resumed;
  let current: AbortController | undefined;
  let armed = false;
  let requestExit: () => void = () => {};
  const exitRequested = new Promise<null>((resolve) => requestExit = () => resolve(null));
  const prompt = style.bold(style.green("you› "));
  const continuation = style.dim("...  ");

  const save = async () => {
    await store.save(session);
    saved = true;
  };
  // On a terminal, Ctrl-C at the prompt is a key (raw mode), so a SIGINT there is a late copy
  // of the one that cancelled the answer (the task runner forwards it) and is ignored. With
  // piped input it ends the session.
  const stopListening = onInterrupt(() => {
    if (current !== undefined) {
      // Cancelling does not arm the exit: quitting takes two presses at the prompt.
      current.abort();
      return;
    }
    if (options.terminal) return;
    ctx.out("\n");
    requestExit();
  });

  /** The lines up to the closing fence, joined; "" when Ctrl-C discards them, null at the end. */
  const readBlock = async (): Promise<string | null> => {
    const parts: string[] = [];
    while (true) {
      const r = await Promise.race([lines.read(continuation), exitRequested]);
      if (r === null || r.kind === "eof") return parts.length > 0 ? parts.join("\n") : null;
      if (r.kind === "interrupt") {
        ctx.out(style.dim("(multi-line message discarded)\n"));
        return "";
      }
      if (r.text.trim() === BLOCK_FENCE) return parts.join("\n");
      parts.push(r.text);
    }
  };

  ctx.out(
    `${style.bold(options.resumed ? "Resumed session" : "Session")} ${session.id} · model ${
      style.cyan(session.model)
    } · ${ctx.url}\n${
      style.dim(
        `Type /help for commands; ${BLOCK_FENCE} for several lines; Ctrl-C cancels an answer, twice exits.`,
      )
    }\n`,
  );
  if (options.resumed) ctx.out(style.dim(`(${session.messages.length} messages so far)\n`));

  try {
    while (true) {
      const read = await Promise.race([lines.read(prompt, { history }), exitRequested]);
      if (read === null || read.kind === "eof") {
        ctx.out("\n");
        break;
      }
      if (read.kind === "interrupt") {
        // Ctrl-C on a typed line discards it, as in a shell; on an empty one it arms the exit.
        if (read.text.trim() !== "") continue;
        if (armed) break;
        armed = true;
        ctx.out(style.dim("(press Ctrl-C again or type /exit to quit)") + "\n");
        continue;
      }
      armed = false;
      let text: string | null = read.text;
      if (text.trim() === BLOCK_FENCE) {
        text = await readBlock();
        if (text === null) break;
      }
      if (text.trim() === "") continue;
      await history?.add(text);
      const slash = text.includes("\n") ? null : parseSlash(text);
      if (slash !== null) {
        if (slash.name === "exit" || slash.name === "quit") break;
        session = await slashCommand(ctx, slash, session, save);
        continue;
      }
      current = new AbortController();
      const result = await runTurn(ctx, session, text.replace(/\s+$/, ""), {
        params: options.params,
        stream: options.stream,
        signal: current.signal,
        stats: options.stats,
      });
      current = undefined;
      if (result.kind === "failed") {
        ctx.err(`${ctx.errStyle.red("error:")} ${result.error.message}\n`);
      } else {
        session = result.session;
        await save();
      }
    }
  } finally {
    stopListening();
    lines.close();
  }
  if (saved && session.messages.length > 0) {
    ctx.out(
      style.dim(
        `Saved as ${session.id}: resume with \`deno task cli chat --session ${session.id}\` (or -c).`,
      ) + "\n",
    );
  }
  return 0;
}

/** Checks that the gateway serves `name`; returns the problem, or undefined when it does. */
async function modelProblem(ctx: CliContext, name: string): Promise<string | undefined> {
  let ids: string[];
  try {
    ids = (await ctx.client().models.list.query()).data.map((m) => m.id);
  } catch (error) {
    return `Cannot check the model: ${explainError(error, ctx.errorContext()).message}`;
  }
  if (isKnownModel(name, ids)) return undefined;
  const close = suggestModels(name, ids);
  return `The gateway has no model '${name}'${
    close.length > 0 ? `: did you mean ${close.join(", ")}?` : "."
  } (\`deno task cli models\` lists them; "/model --force ${name}" switches anyway.)`;
}

async function slashCommand(
  ctx: CliContext,
  slash: { name: string; arg: string },
  session: ChatSession,
  save: () => Promise<void>,
): Promise<ChatSession> {
  const { style } = ctx;
  switch (slash.name) {
    case "model": {
      if (slash.arg === "") {
        ctx.out(`model: ${style.cyan(session.model)}\n`);
        return session;
      }
      const forced = /^--force\s+/.exec(slash.arg);
      const name = forced ? slash.arg.slice(forced[0].length).trim() : slash.arg;
      if (!forced) {
        const problem = await modelProblem(ctx, name);
        if (problem !== undefined) {
          ctx.err(`${ctx.errStyle.red("error:")} ${problem}\n`);
          return session;
        }
      }
      ctx.out(`model: ${style.cyan(name)}\n`);
      return { ...session, model: name };
    }
    case "system": {
      if (slash.arg === "") {
        ctx.out(`system: ${session.system ?? style.dim("(none)")}\n`);
        return session;
      }
      const { system: _old, ...rest } = session;
      if (slash.arg === "-") {
        ctx.out("system prompt removed\n");
        return rest;
      }
      ctx.out("system prompt set\n");
      return { ...rest, system: slash.arg };
    }
    case "clear": {
      const fresh = newSession(session.model, session.system);
      ctx.out(`New conversation ${fresh.id}${style.dim(` (${session.id} kept)`)}\n`);
      return fresh;
    }
    case "save": {
      await save();
      ctx.out(`Saved ${ctx.history().pathOf(session.id)}\n`);
      return session;
    }
    case "history":
      ctx.out(transcript(ctx, session));
      return session;
    case "help":
    case "?":
      ctx.out(SLASH_HELP);
      return session;
    default:
      ctx.out(`Unknown command /${slash.name}: type /help for the list.\n`);
      return session;
  }
}

function transcript(ctx: CliContext, session: ChatSession): string {
  const { style } = ctx;
  if (session.messages.length === 0) return style.dim("(no messages yet)\n");
  const lines: string[] = [];
  if (session.system !== undefined) lines.push(`${style.dim("system:")} ${session.system}`);
  for (const m of session.messages) {
    if (m.role === "tool") continue;
    const label = m.role === "user" ? style.green("you:") : style.cyan(`${m.role}:`);
    const text = contentText(m);
    if (text !== "") lines.push(`${label} ${text}`);
    const calls =
      (m as { tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }> })
        .tool_calls ?? [];
    for (const c of calls) {
      lines.push(
        `${label} ${style.magenta("⚙ tool call")} ${formatToolCall({ id: c.id, ...c.function })}`,
      );
    }
  }
  return lines.join("\n") + "\n";
}
