import assert from "node:assert/strict";
import {
  ConfigError,
  databaseUrlSecrets,
  isLoopbackHost,
  parseConfig,
  redactDatabaseUrl,
} from "../../core/config.ts";

Deno.test("parseConfig: defaults follow SPEC §2", () => {
  const c = parseConfig({});
  assert.equal(c.host, "127.0.0.1");
  assert.equal(c.port, 8000);
  assert.deepEqual(c.apiKeys, []);
  assert.equal(c.openaiApiKey, undefined);
  assert.equal(c.openaiBaseUrl, "https://api.openai.com/v1");
  assert.equal(c.awsRegion, "us-east-1");
  assert.equal(c.defaultProvider, undefined);
  assert.equal(c.filesBackend, "local");
  assert.equal(c.filesDir, "./data/files");
  assert.equal(c.maxRequestBytes, 20_971_520);
  assert.equal(c.maxFileBytes, 26_214_400);
  assert.equal(c.upstreamTimeoutMs, 600_000);
  assert.equal(c.logLevel, "info");
  assert.equal(c.mockModels, true);
  assert.equal(c.filesContextMaxChars, 200_000);
  assert.equal(c.allowPrivateImageUrls, false);
  assert.equal(c.workers, 0);
  assert.deepEqual(c.corsOrigins, []);
  assert.equal(c.maxConnections, 0, "0: derived from the free file descriptors");
  assert.equal(c.maxConnectionsPerIp, 0, "0: as MAX_CONNECTIONS");
  assert.equal(c.headersTimeoutMs, 10_000);
  assert.equal(c.keepAliveTimeoutMs, 65_000);
  assert.equal(c.shutdownGraceMs, 10_000);
  assert.equal(c.dataDir, "./data");
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.responsesTtlDays, 30);
});

Deno.test("parseConfig: connection limits and shutdown grace", () => {
  const c = parseConfig({
    MAX_CONNECTIONS: "500",
    MAX_CONNECTIONS_PER_IP: "20",
    HEADERS_TIMEOUT_MS: "2500",
    KEEPALIVE_TIMEOUT_MS: "5000",
    SHUTDOWN_GRACE_MS: "0",
  });
  assert.equal(c.maxConnections, 500);
  assert.equal(c.maxConnectionsPerIp, 20);
  assert.equal(c.headersTimeoutMs, 2_500);
  assert.equal(c.keepAliveTimeoutMs, 5_000);
  assert.equal(c.shutdownGraceMs, 0);
});

Deno.test("parseConfig: explicit values", () => {
  const c = parseConfig({
    HOST: "0.0.0.0",
    PORT: "9001",
    API_KEY: "a, b,,c",
    OPENAI_API_KEY: "sk-x",
    OPENAI_BASE_URL: "http://localhost:11434/v1/",
    AWS_DEFAULT_REGION: "eu-west-1",
    DEFAULT_PROVIDER: "bedrock",
    LOG_LEVEL: "debug",
    MOCK_MODELS: "false",
    ALLOW_PRIVATE_IMAGE_URLS: "1",
    UPSTREAM_TIMEOUT_MS: "0500",
  });
  assert.equal(c.host, "0.0.0.0");
  assert.equal(c.port, 9001);
  assert.deepEqual(c.apiKeys, ["a", "b", "c"]);
  assert.equal(c.openaiBaseUrl, "http://localhost:11434/v1");
  assert.equal(c.awsRegion, "eu-west-1");
  assert.equal(c.defaultProvider, "bedrock");
  assert.equal(c.logLevel, "debug");
  assert.equal(c.mockModels, false);
  assert.equal(c.allowPrivateImageUrls, true);
  assert.equal(c.upstreamTimeoutMs, 500);
});

Deno.test("parseConfig: AWS_REGION wins over AWS_DEFAULT_REGION", () => {
  assert.equal(
    parseConfig({ AWS_REGION: "us-west-2", AWS_DEFAULT_REGION: "eu-west-1" }).awsRegion,
    "us-west-2",
  );
});

Deno.test("parseConfig: bad values name the variable", async (t) => {
  const rows: Array<{ env: Record<string, string>; variable: string }> = [
    { env: { PORT: "eighty" }, variable: "PORT" },
    { env: { PORT: "70000" }, variable: "PORT" },
    { env: { PORT: "-1" }, variable: "PORT" },
    { env: { LOG_LEVEL: "verbose" }, variable: "LOG_LEVEL" },
    { env: { HOST: "0.0.0.0" }, variable: "API_KEY" },
    { env: { HOST: "10.0.0.5", API_KEY: " , " }, variable: "API_KEY" },
    { env: { DEFAULT_PROVIDER: "my provider" }, variable: "DEFAULT_PROVIDER" },
    { env: { MOCK_MODELS: "maybe" }, variable: "MOCK_MODELS" },
    { env: { MAX_REQUEST_BYTES: "1.5" }, variable: "MAX_REQUEST_BYTES" },
    { env: { OPENAI_BASE_URL: "ftp://x" }, variable: "OPENAI_BASE_URL" },
    { env: { FILES_BACKEND: "gcs" }, variable: "FILES_BACKEND" },
    { env: { FILES_BACKEND: "s3" }, variable: "S3_FILES_BUCKET" },
    { env: { CORS_ORIGINS: "app.example.com" }, variable: "CORS_ORIGINS" },
    { env: { CORS_ORIGINS: "https://app.example.com/path" }, variable: "CORS_ORIGINS" },
    { env: { CORS_ORIGINS: "ftp://app.example.com" }, variable: "CORS_ORIGINS" },
    { env: { MAX_CONNECTIONS: "-1" }, variable: "MAX_CONNECTIONS" },
    { env: { MAX_CONNECTIONS_PER_IP: "many" }, variable: "MAX_CONNECTIONS_PER_IP" },
    { env: { HEADERS_TIMEOUT_MS: "0" }, variable: "HEADERS_TIMEOUT_MS" },
    { env: { KEEPALIVE_TIMEOUT_MS: "1.5" }, variable: "KEEPALIVE_TIMEOUT_MS" },
    { env: { SHUTDOWN_GRACE_MS: "-5" }, variable: "SHUTDOWN_GRACE_MS" },
    { env: { DATABASE_URL: "mysql://u:p@h/db" }, variable: "DATABASE_URL" },
    { env: { DATABASE_URL: "not a url" }, variable: "DATABASE_URL" },
    { env: { REDIS_URL: "http://cache:6379" }, variable: "REDIS_URL" },
    { env: { REDIS_URL: "cache:6379" }, variable: "REDIS_URL" },
    { env: { REDIS_FAIL_CLOSED: "sometimes" }, variable: "REDIS_FAIL_CLOSED" },
    { env: { RESPONSES_TTL_DAYS: "0" }, variable: "RESPONSES_TTL_DAYS" },
    { env: { RESPONSES_TTL_DAYS: "7.5" }, variable: "RESPONSES_TTL_DAYS" },
  ];
  for (const row of rows) {
    await t.step(`${JSON.stringify(row.env)} → ${row.variable}`, () => {
      assert.throws(() => parseConfig(row.env), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, new RegExp(row.variable));
        assert.doesNotMatch(error.message, /\n/);
        return true;
      });
    });
  }
});

Deno.test("parseConfig: non-loopback HOST is fine with API_KEY", () => {
  assert.equal(parseConfig({ HOST: "0.0.0.0", API_KEY: "k" }).host, "0.0.0.0");
});

Deno.test("isLoopbackHost", () => {
  for (const h of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"]) {
    assert.ok(isLoopbackHost(h), h);
  }
  for (const h of ["0.0.0.0", "10.0.0.1", "::", "example.com", "128.0.0.1"]) {
    assert.ok(!isLoopbackHost(h), h);
  }
});

Deno.test("parseConfig: CORS_ORIGINS is a list of canonical origins, or * for any", async (t) => {
  const rows: Array<[string, string[]]> = [
    ["https://app.example.com", ["https://app.example.com"]],
    [" https://App.Example.com/ , http://localhost:5173", [
      "https://app.example.com",
      "http://localhost:5173",
    ]],
    ["https://a.example:443", ["https://a.example"]],
    ["*", ["*"]],
    ["https://a.example, *", ["*"]],
    [" , ", []],
  ];
  for (const [value, expected] of rows) {
    await t.step(
      value,
      () => assert.deepEqual(parseConfig({ CORS_ORIGINS: value }).corsOrigins, expected),
    );
  }
});

Deno.test("parseConfig: the state store's variables", () => {
  const c = parseConfig({
    DATA_DIR: " /var/lib/gateway ",
    DATABASE_URL: "postgresql://gw:pw@db.internal:6432/gateway?sslmode=require",
    RESPONSES_TTL_DAYS: "7",
  });
  assert.equal(c.dataDir, "/var/lib/gateway");
  assert.equal(c.databaseUrl, "postgresql://gw:pw@db.internal:6432/gateway?sslmode=require");
  assert.equal(c.responsesTtlDays, 7);
});

Deno.test("parseConfig: REDIS_URL and REDIS_FAIL_CLOSED (default: unset, fail open)", () => {
  const none = parseConfig({});
  assert.equal(none.redisUrl, undefined);
  assert.equal(none.redisFailClosed, false);
  const c = parseConfig({
    REDIS_URL: " rediss://:pw@cache.internal:6380/2 ",
    REDIS_FAIL_CLOSED: "true",
  });
  assert.equal(c.redisUrl, "rediss://:pw@cache.internal:6380/2");
  assert.equal(c.redisFailClosed, true);
  assert.equal(redactDatabaseUrl(c.redisUrl!), "rediss://:***@cache.internal:6380/2");
  assert.throws(() => parseConfig({ REDIS_URL: "http://:hunter2-pw@h" }), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.doesNotMatch(e.message, /hunter2-pw/);
    return true;
  });
});

Deno.test("parseConfig: a bad DATABASE_URL is refused without echoing it", () => {
  assert.throws(() => parseConfig({ DATABASE_URL: "mysql://u:hunter2-pw@h/db" }), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.doesNotMatch(e.message, /hunter2-pw/);
    return true;
  });
});

Deno.test("DATABASE_URL passwords: redacted for display, listed (raw and decoded) for logs", () => {
  const url = "postgres://gw:p%40ss%2Fw0rd@db:5432/gateway";
  assert.equal(redactDatabaseUrl(url), "postgres://gw:***@db:5432/gateway");
  assert.equal(redactDatabaseUrl("postgres://db/gateway"), "postgres://db/gateway");
  assert.deepEqual(databaseUrlSecrets(url), ["p%40ss%2Fw0rd", "p@ss/w0rd"]);
  assert.deepEqual(databaseUrlSecrets("postgres://gw:plain@db/x"), ["plain"]);
  assert.deepEqual(databaseUrlSecrets("postgres://db/x"), []);
  assert.deepEqual(databaseUrlSecrets(undefined), []);
});

Deno.test("ADMIN_API_KEY: default the first API_KEY; alone it is enough off loopback", () => {
  assert.equal(parseConfig({ API_KEY: "k1,k2" }).adminApiKey, "k1");
  assert.equal(parseConfig({ API_KEY: "k1", ADMIN_API_KEY: " adm " }).adminApiKey, "adm");
  assert.equal(parseConfig({}).adminApiKey, undefined);
  const remote = parseConfig({ HOST: "0.0.0.0", ADMIN_API_KEY: "adm" });
  assert.deepEqual([remote.apiKeys, remote.adminApiKey], [[], "adm"]);
  assert.throws(() => parseConfig({ HOST: "0.0.0.0" }), /API_KEY must be set/);
});
