/**
 * A small `.env` reader: `KEY=value` lines, `#` comments, optional `export `, single or double
 * quotes (double quotes understand `\n`). Pure: the caller reads the file.
 *
 * @example
 * parseDotenv('PORT=9000\n# c\nAPI_KEY="a,b"'); // { PORT: "9000", API_KEY: "a,b" }
 */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    out[match[1]] = unquote(match[2]);
  }
  return out;
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.length >= 2) {
    const end = value.lastIndexOf(quote);
    if (end > 0) {
      const inner = value.slice(1, end);
      return quote === '"' ? inner.replace(/\\n/g, "\n").replace(/\\"/g, '"') : inner;
    }
  }
  const hash = value.search(/\s#/);
  return (hash >= 0 ? value.slice(0, hash) : value).trim();
}

/**
 * Layers `.env` values under the real environment: a variable set in the environment wins.
 *
 * @example
 * mergeEnv({ PORT: "1" }, { PORT: "2", HOST: "h" }); // { PORT: "1", HOST: "h" }
 */
export function mergeEnv(
  real: Record<string, string | undefined>,
  dotenv: Record<string, string>,
): Record<string, string | undefined> {
  return {
    ...dotenv,
    ...Object.fromEntries(Object.entries(real).filter(([, v]) => v !== undefined)),
  };
}
