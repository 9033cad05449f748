/**
 * Edits `.env` text while keeping every other line, comment and blank line as it was: set a key
 * (in place where it already is, appended otherwise) or remove it. Pure; values round-trip
 * through core/dotenv.ts `parseDotenv`.
 */

const keyLine = (key: string) => new RegExp(`^\\s*(export\\s+)?${key}\\s*=`);

/**
 * Formats a value for a `.env` line: bare when safe, single-quoted when it has spaces, `#` or
 * quotes, double-quoted (with `\n` escapes) when it has newlines or single quotes.
 *
 * @example
 * formatEnvValue("a b"); // "'a b'"
 */
export function formatEnvValue(value: string): string {
  if (/^[A-Za-z0-9_.,:/@+=%~^-]*$/.test(value)) return value;
  if (!value.includes("'") && !value.includes("\n") && !value.includes("\r")) return `'${value}'`;
  return `"${value.replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;
}

function splitLines(text: string): { lines: string[]; eol: string } {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const lines = text === "" ? [] : text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return { lines, eol };
}

const join = (lines: string[], eol: string) => lines.length === 0 ? "" : lines.join(eol) + eol;

/**
 * Sets `key` to `value`: the last line defining it is rewritten (keeping an `export ` prefix),
 * otherwise a line is appended.
 *
 * @example
 * setEnvValue("# c\nA=1\n", "B", "2"); // "# c\nA=1\nB=2\n"
 */
export function setEnvValue(text: string, key: string, value: string): string {
  const { lines, eol } = splitLines(text);
  const re = keyLine(key);
  const index = lines.findLastIndex((l) => re.test(l));
  const line = `${key}=${formatEnvValue(value)}`;
  if (index >= 0) {
    const exported = re.exec(lines[index])?.[1] !== undefined;
    lines[index] = exported ? `export ${line}` : line;
  } else {
    lines.push(line);
  }
  return join(lines, eol);
}

/**
 * Removes every line defining `key`; other lines are untouched.
 *
 * @example
 * unsetEnvValue("A=1\nB=2\n", "A"); // "B=2\n"
 */
export function unsetEnvValue(text: string, key: string): string {
  const { lines, eol } = splitLines(text);
  const re = keyLine(key);
  return join(lines.filter((l) => !re.test(l)), eol);
}
