/**
 * The prompts typed in chat sessions, kept per user in one file (`CHAT_PROMPT_HISTORY`, one
 * JSON string per line so multi-line prompts stay one entry, mode 0600) for ↑/↓ at the prompt.
 * The newest {@link PROMPT_HISTORY_LIMIT} entries are kept; a consecutive duplicate is not
 * added twice.
 */

/** How many entries are kept. */
export const PROMPT_HISTORY_LIMIT = 1000;

/** The prompt history of one user. */
export interface PromptHistory {
  /** Entries, oldest first. */
  entries(): readonly string[];
  /** Adds an entry (in memory and in the file). */
  add(entry: string): Promise<void>;
}

/**
 * Parses the file's text: one JSON string per line; other lines are skipped.
 *
 * @example
 * parsePromptHistory('"a"\n"b\\nc"\nnot json\n'); // ["a", "b\nc"]
 */
export function parsePromptHistory(text: string): string[] {
  const entries: string[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    try {
      const value = JSON.parse(line);
      if (typeof value === "string") entries.push(value);
    } catch {
      // not an entry
    }
  }
  return entries.slice(-PROMPT_HISTORY_LIMIT);
}

/** Opens (or starts) the history file at `path`; an unreadable file is an empty history. */
export async function openPromptHistory(path: string): Promise<PromptHistory> {
  let entries: string[] = [];
  let lines = 0;
  try {
    const text = await Deno.readTextFile(path);
    entries = parsePromptHistory(text);
    lines = text.split("\n").length - 1;
  } catch {
    // a missing or unreadable file: empty
  }
  const dir = path.replace(/[\\/][^\\/]*$/, "");
  return {
    entries: () => entries,
    async add(entry) {
      if (entry.trim() === "" || entries.at(-1) === entry) return;
      entries.push(entry);
      if (entries.length > PROMPT_HISTORY_LIMIT) entries = entries.slice(-PROMPT_HISTORY_LIMIT);
      try {
        if (dir !== path) await Deno.mkdir(dir, { recursive: true });
        if (lines >= 2 * PROMPT_HISTORY_LIMIT) {
          await Deno.writeTextFile(path, entries.map((e) => JSON.stringify(e) + "\n").join(""), {
            mode: 0o600,
          });
          lines = entries.length;
        } else {
          await Deno.writeTextFile(path, JSON.stringify(entry) + "\n", {
            append: true,
            mode: 0o600,
          });
          lines++;
        }
      } catch {
        // history is a convenience: a read-only home does not stop the chat
      }
    },
  };
}
