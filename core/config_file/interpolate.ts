/**
 * `${VAR}` and `${VAR:-default}` in a parsed config file's string values, from an environment
 * record passed in (core reads no process environment). Interpolation runs after parsing, so a
 * variable's value is always plain text: a secret cannot inject YAML or JSON structure.
 * `$${` writes a literal `${`.
 */

/** A problem found in a config file: where (dotted path) and what. */
export interface FileProblem {
  path: string;
  message: string;
}

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{[^}]*\}?/g;

/** A dotted path (`providers.groq.base_url`, `models[0].name`). */
export function pathText(path: readonly (string | number)[]): string {
  return path.map((p, i) => typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`).join("");
}

function interpolateString(
  text: string,
  env: Record<string, string | undefined>,
  where: string,
  problems: FileProblem[],
): string {
  return text.replace(
    REFERENCE,
    (match, name: string | undefined, fallback: string | undefined) => {
      if (match === "$${") return "${";
      if (name === undefined) {
        problems.push({
          path: where,
          message:
            `malformed reference '${match}' (write \${VAR} or \${VAR:-default}; $\${ for a literal \${)`,
        });
        return match;
      }
      const value = env[name];
      if (value !== undefined && value !== "") return value;
      if (fallback !== undefined) return fallback;
      const state = value === undefined ? "not set" : "empty";
      problems.push({
        path: where,
        message: `environment variable ${name} is ${state} (and \${${name}} has no :-default)`,
      });
      return "";
    },
  );
}

/**
 * Replaces references in every string of `value` (objects and arrays walked; keys untouched).
 * An unset (or empty) variable without a default is a problem naming it.
 *
 * @example
 * interpolate({ a: "${HOME:-/root}" }, {}).value; // { a: "/root" }
 */
export function interpolate(
  value: unknown,
  env: Record<string, string | undefined>,
): { value: unknown; problems: FileProblem[] } {
  const problems: FileProblem[] = [];
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === "string") return interpolateString(node, env, pathText(path), problems);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === "object") {
      return Object.fromEntries(
        Object.entries(node).map(([key, item]) => [key, walk(item, [...path, key])]),
      );
    }
    return node;
  };
  return { value: walk(value, []), problems };
}
