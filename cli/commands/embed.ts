/**
 * `embed`: embeddings of one or more texts (each argument is one input) through tRPC
 * `embeddings.create`: the vector size and its first values per input, or the response JSON.
 */
import { type CommandSpec, flag, numberOpt, type Parsed, stringOpt } from "../args.ts";
import type { CliContext } from "../context.ts";
import { explainError, UsageError } from "../errors.ts";

/** The model used without `-m`. */
export const DEFAULT_EMBED_MODEL = "mock-embed";

/** How many leading values are printed per vector. */
export const SHOWN_VALUES = 8;

const INPUT_TYPES = ["search_document", "search_query", "classification", "clustering"] as const;

/** The command's spec. */
export const spec: CommandSpec = {
  name: "embed",
  summary: "Embed texts: print each vector's size and first values (or the JSON answer).",
  usage: [
    'embed "text" [-m MODEL]              one vector',
    'embed "first" "second" -m MODEL      one vector per argument',
    'embed "text" -m MODEL --json         the /v1/embeddings response',
  ],
  options: {
    model: {
      type: "string",
      short: "m",
      description: `embedding model id (default ${DEFAULT_EMBED_MODEL})`,
      valueName: "ID",
    },
    dimensions: {
      type: "string",
      description: "vector size, where the model offers several",
      valueName: "N",
    },
    "input-type": {
      type: "string",
      description: `Cohere input_type: ${INPUT_TYPES.join(", ")}`,
      valueName: "TYPE",
    },
    json: { type: "boolean", description: "print the response JSON" },
  },
  details: `Examples:
  deno task cli embed "hello world"
  deno task cli embed "hello" -m amazon.titan-embed-text-v2:0 --dimensions 256
  deno task cli embed "a query" -m cohere.embed-v4:0 --input-type search_query --json`,
};

const format = (n: number) => (n >= 0 ? " " : "") + n.toFixed(6);

/** Runs `embed`. */
export async function run(ctx: CliContext, parsed: Parsed): Promise<number> {
  const input = parsed.positionals;
  if (input.length === 0 || input.some((t) => t === "")) {
    throw new UsageError('Give the text to embed: deno task cli embed "text" -m MODEL.');
  }
  const model = stringOpt(parsed, "model") ?? DEFAULT_EMBED_MODEL;
  const dimensions = numberOpt(parsed, "dimensions", { min: 1, max: 100_000, integer: true });
  const inputType = stringOpt(parsed, "input-type");
  if (inputType !== undefined && !(INPUT_TYPES as readonly string[]).includes(inputType)) {
    throw new UsageError(
      `--input-type must be one of ${INPUT_TYPES.join(", ")}, got '${inputType}'.`,
    );
  }
  let answer;
  try {
    answer = await ctx.client().embeddings.create.mutate({
      model,
      input,
      encoding_format: "float",
      ...(dimensions !== undefined ? { dimensions } : {}),
      ...(inputType !== undefined ? { input_type: inputType as (typeof INPUT_TYPES)[number] } : {}),
    });
  } catch (error) {
    throw explainError(error, ctx.errorContext(model));
  }
  if (flag(parsed, "json")) {
    ctx.out(JSON.stringify(answer, null, 2) + "\n");
    return 0;
  }
  const lines = answer.data.map((item) => {
    const vector = item.embedding as number[];
    const head = vector.slice(0, SHOWN_VALUES).map(format).join(", ");
    const more = vector.length > SHOWN_VALUES ? ", …" : "";
    const label = input.length > 1 ? `[${item.index}] ` : "";
    return `${label}${vector.length} dimensions: [${head}${more}]`;
  });
  ctx.out(lines.join("\n") + "\n");
  ctx.out(ctx.style.dim(`${answer.model} · ${answer.usage.prompt_tokens} prompt tokens`) + "\n");
  return 0;
}
