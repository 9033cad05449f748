/**
 * `history list | show ID | export ID [-o FILE] | delete ID`: the saved chat sessions.
 */
import { type CommandSpec, flag, type Parsed, stringOpt } from "../args.ts";
import type { CliContext } from "../context.ts";
import { UsageError } from "../errors.ts";
import { sessionTitle, toMarkdown } from "../history_store.ts";
import { formatDateTime, oneLine, table } from "../render.ts";

/** The command's spec. */
export const spec: CommandSpec = {
  name: "history",
  summary: "List, export or delete saved chat sessions (CHAT_HISTORY_DIR).",
  usage: [
    "history list [--json]",
    "history export ID [-o FILE] [--format json|md]   ID or a unique prefix",
    "history delete ID",
  ],
  options: {
    output: {
      type: "string",
      short: "o",
      description: "export to FILE instead of stdout",
      valueName: "FILE",
    },
    format: {
      type: "string",
      description: "export format: json (default) or md",
      valueName: "FORMAT",
    },
    json: { type: "boolean", description: "list as JSON" },
  },
  details: "Resume a session with `deno task cli chat --session ID`.",
};

/** Runs `history`. */
export async function run(ctx: CliContext, parsed: Parsed): Promise<number> {
  const [sub, id, ...extra] = parsed.positionals;
  const store = ctx.history();
  const needId = () => {
    if (id === undefined || extra.length > 0) {
      throw new UsageError(`Usage: deno task cli history ${sub} ID (see \`history list\`).`);
    }
    return id;
  };
  switch (sub ?? "list") {
    case "list": {
      const sessions = await store.list();
      if (flag(parsed, "json")) {
        ctx.out(
          JSON.stringify(
            sessions.map((s) => ({
              id: s.id,
              model: s.model,
              created_at: s.created_at,
              updated_at: s.updated_at,
              messages: s.messages.length,
              title: sessionTitle(s),
            })),
            null,
            2,
          ) + "\n",
        );
        return 0;
      }
      if (sessions.length === 0) {
        ctx.out(`No saved sessions in ${store.dir}.\n`);
        return 0;
      }
      ctx.out(
        table(
          ["ID", "UPDATED", "MODEL", "MSGS", "TITLE"],
          sessions.map((
            s,
          ) => [
            s.id,
            formatDateTime(s.updated_at),
            s.model,
            String(s.messages.length),
            oneLine(sessionTitle(s), 50),
          ]),
          ctx.style,
        ) + "\n",
      );
      return 0;
    }
    case "export": {
      const session = await store.resolve(needId());
      const format = stringOpt(parsed, "format") ?? "json";
      if (format !== "json" && format !== "md" && format !== "markdown") {
        throw new UsageError(`--format must be json or md, got '${format}'.`);
      }
      const text = format === "json"
        ? JSON.stringify(session, null, 2) + "\n"
        : toMarkdown(session);
      const output = stringOpt(parsed, "output");
      if (output === undefined) {
        ctx.out(text);
      } else {
        await Deno.writeTextFile(output, text);
        ctx.err(`Exported ${session.id} to ${output}\n`);
      }
      return 0;
    }
    case "delete":
    case "rm": {
      const target = needId();
      await store.remove(target);
      ctx.out(`Deleted session ${target}\n`);
      return 0;
    }
    case "show": {
      ctx.out(toMarkdown(await store.resolve(needId())));
      return 0;
    }
    default:
      throw new UsageError(`Unknown history command '${sub}': use list, export or delete.`);
  }
}
