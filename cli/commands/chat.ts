/**
 * `chat`: the interactive REPL, or one answer for a prompt given as arguments or piped on
 * stdin.
 */
import { type CommandSpec, flag, numberOpt, type Parsed, stringOpt } from "../args.ts";
import type { ChatParams } from "../chat_session.ts";
import type { ChatTool } from "../chat_types.ts";
import type { CliContext } from "../context.ts";
import { UsageError } from "../errors.ts";
import { type ChatSession, newSession } from "../history_store.ts";
import { onInterrupt } from "../interrupts.ts";
import { createLineEditor } from "../line_editor.ts";
import { type LineSource, plainLineSource } from "../line_source.ts";
import { createLineReader } from "../lines.ts";
import { openPromptHistory } from "../prompt_history.ts";
import { runRepl } from "../repl.ts";
import { isOn } from "../settings.ts";
import { runTurn } from "../turn.ts";

/** The command's spec. */
export const spec: CommandSpec = {
  name: "chat",
  summary: "Chat with a model: an interactive session, or one answer for a prompt.",
  usage: [
    "chat [options]                    interactive session",
    'chat [options] "prompt"           one answer, then exit',
    "chat [options] < prompt.txt       prompt read from stdin (also piped)",
    'chat [options] "prompt" < file    the prompt, a blank line, then stdin',
    "chat -c                           continue the latest session",
  ],
  options: {
    model: {
      type: "string",
      short: "m",
      description: "model id (DEFAULT_MODEL, else mock-echo)",
      valueName: "ID",
    },
    system: { type: "string", short: "s", description: "system prompt", valueName: "TEXT" },
    temperature: {
      type: "string",
      short: "t",
      description: "sampling temperature, 0 to 2",
      valueName: "N",
    },
    "max-tokens": { type: "string", description: "answer length limit in tokens", valueName: "N" },
    "no-stream": { type: "boolean", description: "wait for the whole answer instead of streaming" },
    session: {
      type: "string",
      description: "resume a saved session: its id or a unique prefix (see `history list`)",
      valueName: "ID",
    },
    continue: { type: "boolean", short: "c", description: "resume the latest saved session" },
    stats: {
      type: "boolean",
      description: "footer with tokens and latency after each answer (also CHAT_STATS=true)",
    },
    interactive: {
      type: "boolean",
      short: "i",
      description: "interactive even when stdin is not a terminal",
    },
    save: { type: "boolean", description: "save a one-prompt chat to the history too" },
    tools: {
      type: "string",
      description: "JSON file with an array of tool definitions",
      valueName: "FILE",
    },
  },
  details: `In a session, type /help for the slash commands (/model, /system, /clear, /save,
/history, /help, /exit), the editing keys and multi-line input (""" … """). Ctrl-C
cancels the answer in progress; Ctrl-C again at the prompt exits. Sessions are saved
after every answer under CHAT_HISTORY_DIR; typed prompts in CHAT_PROMPT_HISTORY.

Examples:
  deno task cli chat
  deno task cli chat -m gpt-4o-mini --system "Be brief" "What is SSE?"
  git diff | deno task cli chat -m gpt-4o-mini --no-stream
  git diff | deno task cli chat "Review this change:"
  deno task cli chat --session 20250101-120000-ab12
  deno task cli chat -c`,
};

async function readTools(path: string): Promise<ChatTool[]> {
  let value: unknown;
  try {
    value = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    throw new UsageError(
      `Cannot read tools from ${path} (${
        (error as Error).message
      }): pass a JSON file with an array of tools.`,
    );
  }
  const tools = Array.isArray(value) ? value : [value];
  return tools.map((t) =>
    typeof t === "object" && t !== null && "function" in t ? t : { type: "function", function: t }
  ) as ChatTool[];
}

function params(parsed: Parsed): ChatParams {
  return {
    temperature: numberOpt(parsed, "temperature", { min: 0, max: 2 }),
    maxTokens: numberOpt(parsed, "max-tokens", { min: 1, max: 10_000_000, integer: true }),
  };
}

const onTerminal = (io: CliContext["io"]) => io.stdinIsTerminal && io.stdoutIsTerminal;

/** Where the REPL reads from: the line editor on a terminal, plain lines otherwise. */
function lineSource(ctx: CliContext): LineSource {
  const { io } = ctx;
  if (onTerminal(io)) {
    return createLineEditor({
      input: io.stdin,
      output: io.stdout,
      setRaw: io.setRaw,
      columns: io.columns,
    });
  }
  return plainLineSource(createLineReader(io.stdin), io.stdout);
}

/**
 * The one-prompt text: the arguments, then a blank line and stdin when something is piped.
 * Leading indentation is kept; leading blank lines and trailing whitespace are not.
 *
 * @example
 * oneShotPrompt("Summarize:", "text\n"); // "Summarize:\n\ntext"
 */
export function oneShotPrompt(args: string, piped: string): string {
  const stdin = piped.replace(/^(?:[ \t]*\r?\n)+/, "").trimEnd();
  if (args.trim() === "") return stdin;
  return stdin === "" ? args.trim() : `${args.trim()}\n\n${stdin}`;
}

async function startingSession(ctx: CliContext, parsed: Parsed): Promise<{
  session: ChatSession;
  resumed: boolean;
}> {
  const sessionId = stringOpt(parsed, "session");
  const modelFlag = stringOpt(parsed, "model");
  const systemFlag = stringOpt(parsed, "system");
  if (sessionId !== undefined && flag(parsed, "continue")) {
    throw new UsageError("Use --session ID or --continue, not both.");
  }
  if (sessionId === undefined && !flag(parsed, "continue")) {
    return {
      session: newSession(modelFlag ?? ctx.setting("DEFAULT_MODEL") ?? "mock-echo", systemFlag),
      resumed: false,
    };
  }
  let session = sessionId !== undefined
    ? await ctx.history().resolve(sessionId)
    : await ctx.history().latest();
  if (modelFlag !== undefined) session = { ...session, model: modelFlag };
  if (systemFlag !== undefined) session = { ...session, system: systemFlag };
  return { session, resumed: true };
}

/** Runs `chat`. */
export async function run(ctx: CliContext, parsed: Parsed): Promise<number> {
  const chatParams = params(parsed);
  const toolsFile = stringOpt(parsed, "tools");
  if (toolsFile !== undefined) chatParams.tools = await readTools(toolsFile);
  const stream = !flag(parsed, "no-stream");
  const stats = flag(parsed, "stats") || isOn(ctx.setting("CHAT_STATS"));
  const { session, resumed } = await startingSession(ctx, parsed);

  const interactive = parsed.positionals.length === 0 &&
    (ctx.io.stdinIsTerminal || flag(parsed, "interactive"));
  if (interactive) {
    return await runRepl(ctx, {
      session,
      params: chatParams,
      stream,
      resumed,
      lines: lineSource(ctx),
      terminal: onTerminal(ctx.io),
      history: ctx.io.stdinIsTerminal
        ? await openPromptHistory(ctx.setting("CHAT_PROMPT_HISTORY")!)
        : undefined,
      stats,
    });
  }

  const piped = ctx.io.stdinIsTerminal ? "" : await createLineReader(ctx.io.stdin).rest();
  const prompt = oneShotPrompt(parsed.positionals.join(" "), piped);
  if (prompt === "") {
    throw new UsageError(
      'No prompt: pass one (chat "…"), pipe one on stdin, or run `chat` on a terminal.',
    );
  }
  const abort = new AbortController();
  const stopListening = onInterrupt(() => abort.abort());
  try {
    const result = await runTurn(ctx, session, prompt, {
      params: chatParams,
      stream,
      signal: abort.signal,
      stats,
    });
    if (result.kind === "failed") throw result.error;
    if (resumed || flag(parsed, "save")) {
      await ctx.history().save(result.session);
      ctx.err(ctx.errStyle.dim(`saved as session ${result.session.id}\n`));
    }
    return result.kind === "cancelled" ? 130 : 0;
  } finally {
    stopListening();
  }
}
