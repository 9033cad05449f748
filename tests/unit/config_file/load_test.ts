/**
 * The config file loader: YAML and JSON, `${VAR}` interpolation (defaults, missing variables,
 * the `$${` escape, values that look like YAML), and one problem line per mistake, each naming
 * the file and the path.
 */
import assert from "node:assert/strict";
import { ConfigFileError, configFilePath, loadConfigFile } from "../../../core/config_file/load.ts";
import { interpolate } from "../../../core/config_file/interpolate.ts";
import { PROVIDER_KINDS } from "../../../core/providers/registry.ts";

const load = (text: string, env: Record<string, string> = {}, file = "gateway.yaml") =>
  loadConfigFile(text, file, env, PROVIDER_KINDS);

function problems(text: string, env: Record<string, string> = {}, file = "gateway.yaml") {
  try {
    load(text, env, file);
  } catch (error) {
    assert.ok(error instanceof ConfigFileError, String(error));
    assert.equal(error.message, error.problems.join("\n"));
    return [...error.problems];
  }
  assert.fail("expected problems");
}

Deno.test("interpolate: variables, defaults, the $${ escape; keys and non-strings untouched", async (t) => {
  const rows: Array<
    { name: string; input: unknown; env: Record<string, string>; expected: unknown }
  > = [
    { name: "a variable", input: "${A}", env: { A: "x" }, expected: "x" },
    { name: "inside text", input: "Bearer ${A}!", env: { A: "k" }, expected: "Bearer k!" },
    {
      name: "default when unset",
      input: "${A:-http://h:1/v1}",
      env: {},
      expected: "http://h:1/v1",
    },
    { name: "default when empty", input: "${A:-d}", env: { A: "" }, expected: "d" },
    { name: "empty default", input: "[${A:-}]", env: {}, expected: "[]" },
    { name: "set wins over default", input: "${A:-d}", env: { A: "v" }, expected: "v" },
    { name: "escape", input: "$${A} ${A}", env: { A: "v" }, expected: "${A} v" },
    { name: "a lone $", input: "$5 and $A", env: { A: "v" }, expected: "$5 and $A" },
    {
      name: "nested, keys untouched",
      input: { "${A}": ["${A}", 3, true, null] },
      env: { A: "v" },
      expected: { "${A}": ["v", 3, true, null] },
    },
  ];
  for (const row of rows) {
    await t.step(row.name, () => {
      const { value, problems } = interpolate(row.input, row.env);
      assert.deepEqual(problems, []);
      assert.deepEqual(value, row.expected);
    });
  }
});

Deno.test("interpolate: a missing variable and a malformed reference are problems with paths", () => {
  const { problems } = interpolate(
    { providers: { a: { api_key: "${NOPE}", list: ["${EMPTY}", "${oops"] } } },
    { EMPTY: "" },
  );
  assert.deepEqual(problems.map((p) => p.path), [
    "providers.a.api_key",
    "providers.a.list[0]",
    "providers.a.list[1]",
  ]);
  assert.match(problems[0].message, /environment variable NOPE is not set/);
  assert.match(problems[1].message, /environment variable EMPTY is empty/);
  assert.match(problems[2].message, /malformed reference '\$\{oops'/);
});

Deno.test("load: YAML with every kind, settings as written, in file order", () => {
  const { instances } = load(
    `providers:
  groq:
    kind: openai
    base_url: \${GROQ_URL:-https://api.groq.com/openai/v1}
    api_key: \${GROQ_KEY}
  aws-eu: {kind: bedrock, region: eu-west-1}
  mock: {kind: mock}
`,
    { GROQ_KEY: "gsk-1" },
  );
  assert.deepEqual(instances, [
    {
      id: "groq",
      kind: "openai",
      settings: { base_url: "https://api.groq.com/openai/v1", api_key: "gsk-1" },
    },
    { id: "aws-eu", kind: "bedrock", settings: { region: "eu-west-1" } },
    { id: "mock", kind: "mock", settings: {} },
  ]);
});

Deno.test("load: JSON by extension and by content", () => {
  const text = JSON.stringify({ providers: { m: { kind: "mock", enabled: false } } });
  for (const file of ["gateway.json", "gateway.conf"]) {
    assert.deepEqual(load(text, {}, file).instances, [
      { id: "m", kind: "mock", settings: { enabled: false } },
    ]);
  }
  assert.deepEqual(problems("{", {}, "gateway.json").length, 1);
  assert.match(problems("{", {}, "gateway.json")[0], /^gateway\.json: \(file\): invalid JSON/);
});

Deno.test("load: a variable's value stays text (a secret cannot inject YAML)", () => {
  const { instances } = load(
    "providers:\n  a: {kind: openai, api_key: '${KEY}'}\n",
    { KEY: "x\nbase_url: http://evil/v1\nkind: mock" },
  );
  assert.deepEqual(instances[0].settings, { api_key: "x\nbase_url: http://evil/v1\nkind: mock" });
});

Deno.test("load: every problem is one line naming the file and the path", async (t) => {
  const rows: Array<{ name: string; text: string; env?: Record<string, string>; lines: RegExp[] }> =
    [
      {
        name: "bad URL",
        text: "providers:\n  groq: {kind: openai, base_url: 'not a url'}\n",
        lines: [/^gateway\.yaml: providers\.groq\.base_url: must be an http\(s\) URL$/],
      },
      {
        name: "unknown kind names the known ones",
        text: "providers:\n  x: {kind: vertex}\n",
        lines: [
          /^gateway\.yaml: providers\.x\.kind: unknown kind 'vertex' \(known: openai, bedrock, anthropic, azure_openai, mock\)$/,
        ],
      },
      {
        name: "missing kind",
        text: "providers:\n  x: {api_key: k}\n",
        lines: [/^gateway\.yaml: providers\.x\.kind: /],
      },
      {
        name: "missing variable names it",
        text: "providers:\n  a: {kind: openai, api_key: '${OPENAI_KEY_X}'}\n",
        lines: [
          /^gateway\.yaml: providers\.a\.api_key: environment variable OPENAI_KEY_X is not set/,
        ],
      },
      {
        name: "an unknown setting (a typo) is refused",
        text: "providers:\n  a: {kind: openai, base_ulr: 'http://h/v1'}\n",
        lines: [/^gateway\.yaml: providers\.a: .*base_ulr/],
      },
      {
        name: "several problems, one line each",
        text:
          "providers:\n  a: {kind: openai, base_url: 'ftp://h'}\n  b: {kind: bedrock, region: 5}\n  c: {kind: mock, enabled: 'yes'}\n",
        lines: [
          /^gateway\.yaml: providers\.a\.base_url: /,
          /^gateway\.yaml: providers\.b\.region: /,
          /^gateway\.yaml: providers\.c\.enabled: /,
        ],
      },
      {
        name: "a bad id",
        text: "providers:\n  'my provider': {kind: mock}\n",
        lines: [/^gateway\.yaml: providers\.my provider: a provider id starts with/],
      },
      {
        name: "an unknown top-level key",
        text: "providers: {m: {kind: mock}}\nrouters: {}\n",
        lines: [/^gateway\.yaml: \(file\): .*routers/],
      },
      {
        name: "a negative price, a price without output",
        text: "providers: {m: {kind: mock}}\nprices: {x: {input: -1, output: 1}, y: {input: 1}}\n",
        lines: [
          /^gateway\.yaml: prices\.x\.input: a price is at least 0$/,
          /^gateway\.yaml: prices\.y\.output: /,
        ],
      },
      {
        name: "an alias without deployments",
        text: "providers: {m: {kind: mock}}\nmodels: [{name: smart}]\n",
        lines: [/^gateway\.yaml: models\[0\]\.deployments: /],
      },
      {
        name: "an alias on an unknown provider, weight 0, a duplicate alias",
        text: [
          "providers: {m: {kind: mock}}",
          "models:",
          "  - {name: smart, deployments: [{provider: m, model: mock-echo}, {provider: x, model: y}]}",
          "  - {name: fast, strategy: weighted, deployments: [{provider: m, model: mock-echo, weight: 0}]}",
          "  - {name: smart, deployments: [{provider: m, model: mock-echo}]}",
          "",
        ].join("\n"),
        lines: [
          /^gateway\.yaml: models\[0\]\.deployments\[1\]\.provider: unknown provider 'x' \(known: m\)$/,
          /^gateway\.yaml: models\[1\]\.deployments\[0\]\.weight: weight must be greater than 0$/,
          /^gateway\.yaml: models\[2\]\.name: the alias 'smart' is defined twice$/,
        ],
      },
      {
        name: "an unknown strategy, a router typo, an alias named like a provider route",
        text: [
          "providers: {m: {kind: mock}}",
          "router: {max_attempt: 2}",
          "models:",
          "  - {name: m/echo, deployments: [{provider: m, model: mock-echo}]}",
          "  - {name: x, strategy: fastest, deployments: [{provider: m, model: mock-echo}]}",
          "",
        ].join("\n"),
        lines: [
          /^gateway\.yaml: models\[0\]\.name: 'm\/echo' starts with the provider id 'm\/'/,
          /^gateway\.yaml: models\[1\]\.strategy: /,
          /^gateway\.yaml: router: .*max_attempt/,
        ],
      },
      {
        name: "no providers",
        text: "providers: {}\n",
        lines: [/^gateway\.yaml: providers: at least one provider is needed$/],
      },
      {
        name: "providers missing",
        text: "{}\n",
        lines: [/^gateway\.yaml: providers: /],
      },
      {
        name: "providers not a map",
        text: "providers: [a, b]\n",
        lines: [/^gateway\.yaml: providers: /],
      },
      {
        name: "invalid YAML names the line",
        text: "providers:\n  a: {kind: mock\n",
        lines: [/^gateway\.yaml: line \d+: invalid YAML: /],
      },
      {
        name: "a duplicate key",
        text: "providers:\n  a: {kind: mock}\n  a: {kind: mock}\n",
        lines: [/^gateway\.yaml: line 3: invalid YAML: .*unique/i],
      },
    ];
  for (const row of rows) {
    await t.step(row.name, () => {
      const lines = problems(row.text, row.env);
      assert.equal(lines.length, row.lines.length, lines.join("\n"));
      row.lines.forEach((pattern, i) => assert.match(lines[i], pattern));
      for (const line of lines) assert.doesNotMatch(line, /\n| at .*\.ts:\d+/);
    });
  }
});

Deno.test("configFilePath: GATEWAY_CONFIG, else ./gateway.yaml when it exists, else none", () => {
  assert.equal(configFilePath("conf/gw.json", () => false), "conf/gw.json");
  assert.equal(configFilePath(undefined, (p) => p === "gateway.yaml"), "gateway.yaml");
  assert.equal(configFilePath("  ", (p) => p === "gateway.yaml"), "gateway.yaml");
  assert.equal(configFilePath(undefined, () => false), undefined);
});

Deno.test("load: an empty value means not set (as in the environment)", () => {
  const { instances } = load("providers:\n  a: {kind: openai, organization: '${ORG:-}'}\n");
  assert.deepEqual(instances[0].settings, {});
});

Deno.test("limits.models: per-model rate limits, one line per problem", async (t) => {
  const { loadConfigFile, ConfigFileError } = await import("../../../core/config_file/load.ts");
  const { PROVIDER_KINDS } = await import("../../../core/providers/registry.ts");
  const head = "providers:\n  m: { kind: mock }\n";
  await t.step("valid, numbers as text too", () => {
    const loaded = loadConfigFile(
      head +
        'limits:\n  models:\n    smart: { rpm: 600, tpm: "${TPM}" }\n    m/x: { max_parallel: 2 }\n',
      "g.yaml",
      { TPM: "9000" },
      PROVIDER_KINDS,
    );
    assert.deepEqual(loaded.modelLimits, {
      smart: { rpm: 600, tpm: 9000 },
      "m/x": { maxParallel: 2 },
    });
    assert.deepEqual(loadConfigFile(head, "g.yaml", {}, PROVIDER_KINDS).modelLimits, {});
  });
  await t.step("invalid", () => {
    const text = head +
      "limits:\n  models:\n    a: { rpm: 0 }\n    b: { tpm: 1.5 }\n    c: {}\n    d: { rpn: 3 }\n";
    assert.throws(
      () => loadConfigFile(text, "g.yaml", {}, PROVIDER_KINDS),
      (error: unknown) => {
        assert.ok(error instanceof ConfigFileError);
        assert.deepEqual(error.problems, [
          "g.yaml: limits.models.a.rpm: rpm must be at least 1",
          "g.yaml: limits.models.b.tpm: tpm must be a whole number",
          "g.yaml: limits.models.c: set at least one of rpm, tpm, max_parallel",
          'g.yaml: limits.models.d: Unrecognized key: "rpn"',
        ]);
        return true;
      },
    );
  });
});
