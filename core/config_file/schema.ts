/**
 * The config file's shape (SPEC §9): `providers` (id → `{kind, ...settings}`) and `models`
 * (aliases, refused for now: they come with routing strategies). Each provider's settings are
 * validated by its kind's own zod schema, passed in, so this file knows no kind.
 */
import { z } from "zod";
import { type FileProblem, pathText } from "./interpolate.ts";

/** What the loader needs of a provider kind: its name and settings schema. */
export interface KindSchema {
  readonly name: string;
  readonly settings: z.ZodType;
}

/** One provider of the file: id, kind and its settings (interpolated and validated, as written:
 * the registry parses them again when it creates the instance). */
export interface FileProvider {
  id: string;
  kind: string;
  settings: unknown;
}

/** Instance ids are model prefixes: no `/`, no spaces (as core/providers/registry.ts). */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const topLevel = z.object({
  providers: z.record(z.string(), z.unknown()),
  models: z.unknown().optional(),
}).strict();

const providerEntry = z.object({ kind: z.string().min(1) }).passthrough();

const problemsOf = (error: z.ZodError, prefix: (string | number)[]): FileProblem[] =>
  error.issues.map((issue) => ({
    path: pathText([...prefix, ...issue.path.map((p) => typeof p === "symbol" ? String(p) : p)]) ||
      "(file)",
    message: issue.message,
  }));

/** A kind's settings schema with unknown keys refused (a typo is a problem, not a no-op). */
function strictSettings(schema: z.ZodType): z.ZodType {
  return schema instanceof z.ZodObject ? schema.strict() : schema;
}

/**
 * Validates an interpolated file: every problem, each with its dotted path.
 *
 * @example
 * validateFile({ providers: { m: { kind: "mock" } } }, [mockKind]).providers[0].id; // "m"
 */
export function validateFile(
  data: unknown,
  kinds: readonly KindSchema[],
): { providers: FileProvider[]; problems: FileProblem[] } {
  const top = topLevel.safeParse(data);
  if (!top.success) return { providers: [], problems: problemsOf(top.error, []) };
  const problems: FileProblem[] = [];
  if (top.data.models !== undefined) {
    problems.push({
      path: "models",
      message:
        "model aliases are not supported yet (they come with routing strategies); route with <provider-id>/<model> for now",
    });
  }
  const providers: FileProvider[] = [];
  for (const [id, entry] of Object.entries(top.data.providers)) {
    const path = ["providers", id];
    if (!ID_PATTERN.test(id)) {
      problems.push({
        path: pathText(path),
        message:
          "a provider id starts with a letter or digit and uses only letters, digits, '_', '.' and '-'",
      });
      continue;
    }
    const head = providerEntry.safeParse(entry);
    if (!head.success) {
      problems.push(...problemsOf(head.error, path));
      continue;
    }
    const { kind: kindName, ...written } = head.data;
    // An empty value means "not set", as in the environment (`organization: "${ORG:-}"`).
    const settings = Object.fromEntries(Object.entries(written).filter(([, v]) => v !== ""));
    const kind = kinds.find((k) => k.name === kindName);
    if (kind === undefined) {
      problems.push({
        path: pathText([...path, "kind"]),
        message: `unknown kind '${kindName}' (known: ${kinds.map((k) => k.name).join(", ")})`,
      });
      continue;
    }
    const parsed = strictSettings(kind.settings).safeParse(settings);
    if (!parsed.success) {
      problems.push(...problemsOf(parsed.error, path));
      continue;
    }
    providers.push({ id, kind: kind.name, settings });
  }
  if (problems.length === 0 && providers.length === 0) {
    problems.push({ path: "providers", message: "at least one provider is needed" });
  }
  return { providers, problems };
}
