import assert from "node:assert/strict";
import {
  defaultGatewayUrl,
  defaultHistoryDir,
  displayValue,
  findKey,
  firstApiKey,
  KNOWN_KEYS,
  resolveKey,
  validateEdit,
} from "../../../cli/settings.ts";

Deno.test("known keys cover SPEC §2 and the CLI's own", () => {
  const keys = KNOWN_KEYS.map((k) => k.key);
  for (
    const key of [
      "HOST",
      "PORT",
      "API_KEY",
      "OPENAI_API_KEY",
      "OPENAI_BASE_URL",
      "AWS_REGION",
      "AWS_DEFAULT_REGION",
      "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
      "AWS_ENDPOINT_URL_S3",
      "DEFAULT_PROVIDER",
      "FILES_BACKEND",
      "MAX_REQUEST_BYTES",
      "MAX_FILE_BYTES",
      "UPSTREAM_TIMEOUT_MS",
      "LOG_LEVEL",
      "MOCK_MODELS",
      "FILES_CONTEXT_MAX_CHARS",
      "ALLOW_PRIVATE_IMAGE_URLS",
      "GATEWAY_URL",
      "GATEWAY_API_KEY",
      "DEFAULT_MODEL",
      "CHAT_HISTORY_DIR",
    ]
  ) assert.ok(keys.includes(key), key);
  assert.equal(new Set(keys).size, keys.length);
  assert.equal(findKey("log_level")?.key, "LOG_LEVEL");
  assert.equal(findKey("nope"), undefined);
});

Deno.test("resolveKey: environment, then .env, then default", async (t) => {
  const rows = [
    { key: "PORT", env: { PORT: "1" }, dot: { PORT: "2" }, value: "1", source: "environment" },
    { key: "PORT", env: { PORT: "" }, dot: { PORT: "2" }, value: "2", source: ".env" },
    { key: "PORT", env: {}, dot: {}, value: "8000", source: "default" },
    { key: "API_KEY", env: {}, dot: {}, value: undefined, source: "unset" },
    {
      key: "AWS_REGION",
      env: { AWS_DEFAULT_REGION: "eu-west-1" },
      dot: {},
      value: "eu-west-1",
      source: "default",
    },
    {
      key: "GATEWAY_URL",
      env: {},
      dot: { PORT: "9001" },
      value: "http://127.0.0.1:9001",
      source: "default",
    },
    {
      key: "GATEWAY_API_KEY",
      env: { API_KEY: " k1 , k2" },
      dot: {},
      value: "k1",
      source: "default",
    },
    { key: "DEFAULT_MODEL", env: {}, dot: {}, value: "mock-echo", source: "default" },
  ] as const;
  for (const row of rows) {
    await t.step(`${row.key} ${JSON.stringify(row.env)} ${JSON.stringify(row.dot)}`, () => {
      const r = resolveKey(row.key, row.env, row.dot);
      assert.deepEqual([r.value, r.source], [row.value, row.source]);
    });
  }
});

Deno.test("defaults derived from the environment", () => {
  assert.equal(defaultGatewayUrl({}), "http://127.0.0.1:8000");
  assert.equal(defaultGatewayUrl({ PORT: "abc" }), "http://127.0.0.1:8000");
  assert.equal(firstApiKey({ API_KEY: ",, a ,b" }), "a");
  assert.equal(firstApiKey({}), undefined);
  assert.equal(defaultHistoryDir({ XDG_CONFIG_HOME: "/x" }), "/x/llm-gateway/history");
  assert.equal(defaultHistoryDir({ HOME: "/home/u" }), "/home/u/.config/llm-gateway/history");
  assert.equal(defaultHistoryDir({ APPDATA: "C:\\A" }), "C:\\A\\llm-gateway\\history");
});

Deno.test("displayValue masks secrets like sk-…abcd", () => {
  assert.equal(displayValue("OPENAI_API_KEY", "sk-proj-0123456789abcd"), "sk-…abcd");
  assert.equal(displayValue("API_KEY", "short,another-long-key-wxyz"), "****,ano…wxyz");
  assert.equal(displayValue("PORT", "8000"), "8000");
  assert.equal(displayValue("API_KEY", undefined), "(unset)");
  assert.equal(
    displayValue("DATABASE_URL", "postgres://gw:s3cret-pw@db:5432/gateway"),
    "postgres://gw:***@db:5432/gateway",
  );
});

Deno.test("validateEdit: parseConfig on the merged result", async (t) => {
  const rows: Array<{
    name: string;
    env?: Record<string, string>;
    before?: Record<string, string>;
    changes: Record<string, string | undefined>;
    problem?: RegExp;
  }> = [
    { name: "valid port", changes: { PORT: "9000" } },
    { name: "bad port", changes: { PORT: "x" }, problem: /PORT must be an integer/ },
    {
      name: "bad bool",
      changes: { MOCK_MODELS: "maybe" },
      problem: /MOCK_MODELS must be true or false/,
    },
    {
      name: "bad provider",
      changes: { DEFAULT_PROVIDER: "my provider" },
      problem: /DEFAULT_PROVIDER/,
    },
    {
      name: "public host without key",
      changes: { HOST: "0.0.0.0" },
      problem: /API_KEY must be set/,
    },
    {
      name: "public host with a key in the environment",
      env: { API_KEY: "k" },
      changes: { HOST: "0.0.0.0" },
    },
    {
      name: "the new value is checked even when the environment overrides it",
      env: { PORT: "8000" },
      changes: { PORT: "-1" },
      problem: /PORT/,
    },
    {
      name: "an existing unrelated problem is not blamed on the edit",
      before: { PORT: "x" },
      changes: { LOG_LEVEL: "warn" },
    },
    {
      name: "removing API_KEY under a public host",
      before: { HOST: "0.0.0.0", API_KEY: "k" },
      changes: { API_KEY: undefined },
      problem: /API_KEY/,
    },
    {
      name: "CLI URL",
      changes: { GATEWAY_URL: "localhost:8000" },
      problem: /GATEWAY_URL must be an http\(s\) URL/,
    },
    { name: "CLI URL ok", changes: { GATEWAY_URL: "https://gw.example.com" } },
    {
      name: "empty model",
      changes: { DEFAULT_MODEL: " " },
      problem: /DEFAULT_MODEL must not be empty/,
    },
    { name: "s3 without bucket", changes: { FILES_BACKEND: "s3" }, problem: /S3_FILES_BUCKET/ },
  ];
  for (const row of rows) {
    await t.step(row.name, () => {
      const problem = validateEdit(row.env ?? {}, row.before ?? {}, row.changes);
      if (row.problem === undefined) assert.equal(problem, undefined);
      else assert.match(problem ?? "", row.problem);
    });
  }
});

Deno.test("config show: WORKERS defaults to the real worker count, one per CPU core", () => {
  const workers = findKey("WORKERS");
  assert.ok(workers?.fallback !== undefined);
  assert.equal(workers.fallback({}), String(navigator.hardwareConcurrency));
});

Deno.test(".env.example lists every known variable", () => {
  const example = Deno.readTextFileSync(new URL("../../../.env.example", import.meta.url));
  const missing = KNOWN_KEYS.map((k) => k.key).filter((key) => !example.includes(`# ${key}=`));
  assert.deepEqual(missing, []);
});
