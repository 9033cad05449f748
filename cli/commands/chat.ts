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
import { createLineReader } from "../lines.ts";
import { runRepl } from "../repl.ts";
import { runTurn } from "../turn.ts";

/** The command's spec. */
export const spec: CommandSpec = {
  name: "chat",
  summary: "Chat with a model: an interactive session, or one answer for a prompt.",
  usage: [
    "chat [options]                    interactive session",
    'chat [options] "prompt"           one answer, then exit',
    "chat [options] < prompt.txt        prompt read from stdin (also piped)",
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
      description: "resume a saved session (see `history list`)",
      valueName: "ID",
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
/history, /help, /exit). Ctrl-C cancels the answer in progress; Ctrl-C again at the
prompt exits. Sessions are saved after every answer under CHAT_HISTORY_DIR.

Examples:
  deno task cli chat
  deno task cli chat -m gpt-4o-mini --system "Be brief" "What is SSE?"
  git diff | deno task cli chat -m gpt-4o-mini --no-stream
  deno task cli chat --session 20250101-120000-ab12`,
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

/** Runs `chat`. */
export async function run(ctx: CliContext, parsed: Parsed): Promise<number> {
  const chatParams = params(parsed);
  const toolsFile = stringOpt(parsed, "tools");
  if (toolsFile !== undefined) chatParams.tools = await readTools(toolsFile);
  const stream = !flag(parsed, "no-stream");
  const sessionId = stringOpt(parsed, "session");
  const modelFlag = stringOpt(parsed, "model");
  const systemFlag = stringOpt(parsed, "system");

  let session: ChatSession;
  if (sessionId !== undefined) {
    session = await ctx.history().load(sessionId);
    if (modelFlag !== undefined) session = { ...session, model: modelFlag };
    if (systemFlag !== undefined) session = { ...session, system: systemFlag };
  } else {
    session = newSession(modelFlag ?? ctx.setting("DEFAULT_MODEL") ?? "mock-echo", systemFlag);
  }

  const lines = createLineReader(ctx.io.stdin);
  const interactive = parsed.positionals.length === 0 &&
    (ctx.io.stdinIsTerminal || flag(parsed, "interactive"));
  if (interactive) {
    return await runRepl(ctx, {
      session,
      params: chatParams,
      stream,
      resumed: sessionId !== undefined,
      lines,
    });
  }

  const prompt = parsed.positionals.length > 0
    ? parsed.positionals.join(" ")
    : (await lines.rest()).trim();
  if (prompt === "") {
    throw new UsageError(
      'No prompt: pass one (chat "…"), pipe one on stdin, or run `chat` on a terminal.',
    );
  }
  const abort = new AbortController();
  const onInterrupt = () => abort.abort();
  Deno.addSignalListener("SIGINT", onInterrupt);
  try {
    const result = await runTurn(ctx, session, prompt, {
      params: chatParams,
      stream,
      signal: abort.signal,
    });
    if (result.kind === "cancelled") return 130;
    if (result.kind === "failed") throw result.error;
    if (sessionId !== undefined || flag(parsed, "save")) {
      await ctx.history().save(result.session);
      ctx.err(ctx.errStyle.dim(`saved as session ${result.session.id}\n`));
    }
    return 0;
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}
