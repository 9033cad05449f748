/**
 * Chat sessions saved as JSON files (`<id>.json`) in one directory (`CHAT_HISTORY_DIR`): save,
 * load, list, delete, and export as JSON or Markdown.
 */
import type { ChatMessage } from "./chat_types.ts";
import { CliError } from "./errors.ts";

/** A saved conversation. */
export interface ChatSession {
  id: string;
  created_at: string;
  updated_at: string;
  model: string;
  system?: string;
  messages: ChatMessage[];
}

/** A session id: letters, digits, `.`, `_`, `-`; not starting with a dot. */
export const SESSION_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/**
 * A new session id, sortable by time: `YYYYMMDD-HHMMSS-xxxx`.
 *
 * @example
 * newSessionId(new Date("2025-01-02T03:04:05Z"), () => "ab12"); // "20250102-030405-ab12"
 */
export function newSessionId(
  now: Date,
  random: () => string = () => crypto.randomUUID().slice(0, 4),
): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${stamp}-${random()}`;
}

/** Creates an empty session. */
export function newSession(
  model: string,
  system: string | undefined,
  now = new Date(),
): ChatSession {
  const iso = now.toISOString();
  return {
    id: newSessionId(now),
    created_at: iso,
    updated_at: iso,
    model,
    ...(system !== undefined ? { system } : {}),
    messages: [],
  };
}

/** Text of a message's content (text parts joined). */
export function contentText(message: ChatMessage): string {
  const content = (message as { content?: unknown }).content;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((p) => (typeof p?.text === "string" ? p.text : "")).filter((t) => t !== "")
      .join("\n");
  }
  return "";
}

/** The first user message, as a title. */
export function sessionTitle(session: ChatSession): string {
  const first = session.messages.find((m) => m.role === "user");
  return first === undefined ? "" : contentText(first);
}

/** The session as a Markdown transcript. */
export function toMarkdown(session: ChatSession): string {
  const parts = [
    `# Chat ${session.id}`,
    "",
    `- model: ${session.model}`,
    `- created: ${session.created_at}`,
  ];
  if (session.system !== undefined) parts.push(`- system: ${session.system}`);
  for (const m of session.messages) {
    parts.push("", `## ${m.role}`, "");
    const text = contentText(m);
    if (text !== "") parts.push(text);
    const calls = (m as { tool_calls?: Array<{ function: { name: string; arguments: string } }> })
      .tool_calls ?? [];
    for (const c of calls) {
      parts.push(`- tool call \`${c.function.name}(${c.function.arguments})\``);
    }
  }
  return parts.join("\n") + "\n";
}

function checkId(id: string): string {
  if (!SESSION_ID.test(id)) {
    throw new CliError(
      `'${id}' is not a session id: run \`deno task cli history list\` to see the saved ones.`,
      2,
    );
  }
  return id;
}

function isSession(value: unknown): value is ChatSession {
  const v = value as ChatSession;
  return typeof v === "object" && v !== null && typeof v.id === "string" &&
    typeof v.model === "string" && Array.isArray(v.messages);
}

/** A directory of saved sessions. */
export interface HistoryStore {
  dir: string;
  pathOf(id: string): string;
  save(session: ChatSession): Promise<string>;
  load(id: string): Promise<ChatSession>;
  /** The session whose id is `prefix`, or the only one whose id starts with it. */
  resolve(prefix: string): Promise<ChatSession>;
  /** The most recently updated session. */
  latest(): Promise<ChatSession>;
  list(): Promise<ChatSession[]>;
  remove(id: string): Promise<void>;
}

/** Opens the history directory `dir` (created on first save). */
export function createHistoryStore(dir: string): HistoryStore {
  const pathOf = (id: string) => `${dir}/${checkId(id)}.json`;
  const notFound = (id: string) =>
    new CliError(
      `No saved session '${id}' in ${dir}: run \`deno task cli history list\` to see the saved ones.`,
    );
  const store: HistoryStore = {
    dir,
    pathOf,
    async save(session) {
      await Deno.mkdir(dir, { recursive: true });
      const path = pathOf(session.id);
      const temp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
      await Deno.writeTextFile(temp, JSON.stringify(session, null, 2) + "\n");
      await Deno.rename(temp, path);
      return path;
    },
    async load(id) {
      let text: string;
      try {
        text = await Deno.readTextFile(pathOf(id));
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) throw notFound(id);
        throw error;
      }
      const value = JSON.parse(text);
      if (!isSession(value)) {
        throw new CliError(`The session file ${pathOf(id)} is not a chat session.`);
      }
      return value;
    },
    async resolve(prefix) {
      try {
        return await store.load(prefix);
      } catch (error) {
        if (!(error instanceof CliError) || !error.message.startsWith("No saved session")) {
          throw error;
        }
      }
      const matches = (await store.list()).filter((s) => s.id.startsWith(prefix));
      if (matches.length === 1) return matches[0];
      if (matches.length === 0) throw notFound(prefix);
      const shown = matches.slice(0, 5).map((s) => s.id).join(", ");
      throw new CliError(
        `'${prefix}' matches ${matches.length} sessions (${shown}${
          matches.length > 5 ? ", …" : ""
        }): give more of the id.`,
        2,
      );
    },
    async latest() {
      const [newest] = await store.list();
      if (newest === undefined) {
        throw new CliError(
          `No saved sessions in ${dir} to continue: start one with \`deno task cli chat\`.`,
        );
      }
      return newest;
    },
    async list() {
      const sessions: ChatSession[] = [];
      try {
        for await (const entry of Deno.readDir(dir)) {
          if (!entry.isFile || !entry.name.endsWith(".json")) continue;
          try {
            const value = JSON.parse(await Deno.readTextFile(`${dir}/${entry.name}`));
            if (isSession(value)) sessions.push(value);
          } catch {
            // not a session file: skipped
          }
        }
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      return sessions.sort((a, b) => b.updated_at.localeCompare(a.updated_at));
    },
    async remove(id) {
      try {
        await Deno.remove(pathOf(id));
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) throw notFound(id);
        throw error;
      }
    },
  };
  return store;
}
