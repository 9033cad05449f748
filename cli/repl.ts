/**
 * The interactive chat loop: prompts, slash commands, streamed answers, Ctrl-C handling (first
 * press cancels the answer in progress, a second press at the prompt exits) and saving the
 * session after every answer.
 */
import type { ChatParams } from "./chat_session.ts";
import { formatToolCall } from "./chat_session.ts";
import type { CliContext } from "./context.ts";
import { type ChatSession, contentText, newSession } from "./history_store.ts";
import type { LineReader } from "./lines.ts";
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
  /model NAME    switch model (without NAME: show it)
  /system TEXT   set the system prompt (without TEXT: show it; "/system -" removes it)
  /clear         start a new conversation (the current one stays saved)
  /save          save the conversation now and show its file
  /history       show the conversation so far
  /help          this help
  /exit          quit (also /quit, Ctrl-D, or Ctrl-C twice)
Ctrl-C while an answer arrives cancels it.
`;

/** Options of {@link runRepl}. */
export interface ReplOptions {
  session: ChatSession;
  params: ChatParams;
  stream: boolean;
  resumed: boolean;
  lines: LineReader;
}

/** Runs the REPL until /exit, end of input or a second Ctrl-C. Returns the exit status. */
export async function runRepl(ctx: CliContext, options: ReplOptions): Promise<number> {
  const { style } = ctx;
  const store = ctx.history();
  let session = options.session;
  let saved = options.resumed;
  let current: AbortController | undefined;
  let armed = false;
  let requestExit: () => void = () => {};
  const exitRequested = new Promise<null>((resolve) => requestExit = () => resolve(null));
  const prompt = () => ctx.out(style.bold(style.green("you› ")));

  const save = async () => {
    await store.save(session);
    saved = true;
  };
  const onInterrupt = () => {
    if (current !== undefined) {
      current.abort();
      armed = true;
      return;
    }
    if (armed) {
      ctx.out("\n");
      requestExit();
      return;
    }
    armed = true;
    ctx.out(`\n${style.dim("(press Ctrl-C again or type /exit to quit)")}\n`);
    prompt();
  };
  Deno.addSignalListener("SIGINT", onInterrupt);

  ctx.out(
    `${style.bold(options.resumed ? "Resumed session" : "Session")} ${session.id} · model ${
      style.cyan(session.model)
    } · ${ctx.url}\n${
      style.dim("Type /help for commands; Ctrl-C cancels an answer, twice exits.")
    }\n`,
  );
  if (options.resumed) ctx.out(style.dim(`(${session.messages.length} messages so far)\n`));

  try {
    while (true) {
      prompt();
      const line = await Promise.race([options.lines.next(), exitRequested]);
      if (line === null) {
        ctx.out("\n");
        break;
      }
      armed = false;
      const text = line.trim();
      if (text === "") continue;
      const slash = parseSlash(text);
      if (slash !== null) {
        if (slash.name === "exit" || slash.name === "quit") break;
        session = await slashCommand(ctx, slash, session, save);
        continue;
      }
      current = new AbortController();
      const result = await runTurn(ctx, session, text, {
        params: options.params,
        stream: options.stream,
        signal: current.signal,
      });
      current = undefined;
      if (result.kind === "answered") {
        session = result.session;
        await save();
      } else if (result.kind === "failed") {
        ctx.err(`${ctx.errStyle.red("error:")} ${result.error.message}\n`);
      }
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
  if (saved && session.messages.length > 0) {
    ctx.out(
      style.dim(
        `Saved as ${session.id}: resume with \`deno task cli chat --session ${session.id}\`.`,
      ) + "\n",
    );
  }
  return 0;
}

async function slashCommand(
  ctx: CliContext,
  slash: { name: string; arg: string },
  session: ChatSession,
  save: () => Promise<void>,
): Promise<ChatSession> {
  const { style } = ctx;
  switch (slash.name) {
    case "model":
      if (slash.arg === "") {
        ctx.out(`model: ${style.cyan(session.model)}\n`);
        return session;
      }
      ctx.out(`model: ${style.cyan(slash.arg)}\n`);
      return { ...session, model: slash.arg };
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
