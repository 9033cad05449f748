/**
 * The reload machinery on its own: the swapped handler (new requests get the new handler, a
 * response already started keeps streaming from the old one, a bad file keeps the old one and
 * says why in the file's own lines), the log lines of the workers' outcomes, and the
 * launcher–worker protocol over real message ports (every worker reloads, a worker's
 * `config.reload` gets its own outcome, a silent worker counts as `no_answer`).
 */
import assert from "node:assert/strict";
import { loadConfigFile } from "../../../core/config_file/load.ts";
import { createLogger } from "../../../core/logger.ts";
import { PROVIDER_KINDS } from "../../../core/providers/registry.ts";
import {
  answerReloads,
  askForReload,
  coordinateReloads,
  type FetchHandler,
  reloadableHandler,
  reloadLogLines,
  type ReloadResult,
} from "../../../server/reloadable.ts";

const request = () => new Request("http://localhost/x");

/** A handler answering `name`, or a stream of three `name` chunks, each sent once `next()`
 * released it. */
function namedHandler(name: string) {
  const gates = Array.from({ length: 3 }, () => Promise.withResolvers<void>());
  let released = 0;
  const handler: FetchHandler = (req) => {
    if (!req.url.endsWith("/stream")) return new Response(name);
    let sent = 0;
    return new Response(
      new ReadableStream<Uint8Array>({
        async pull(controller) {
          await gates[sent].promise;
          controller.enqueue(new TextEncoder().encode(`${name}${sent}.`));
          if (++sent === 3) controller.close();
        },
      }),
    );
  };
  return { handler, next: () => gates[released++].resolve() };
}

/** A loader over real config-file text: the file's problems, or a handler named after it. */
function loaderOf(file: { text: string }) {
  return () => {
    const { instances } = loadConfigFile(file.text, "gw.yaml", {}, PROVIDER_KINDS);
    const ids = instances.map((i) => i.id);
    return { handler: namedHandler(ids.join("+")).handler, providers: ids };
  };
}

Deno.test("reloadableHandler: swaps for new requests; a started stream finishes on the old one", async () => {
  const old = namedHandler("old");
  const file = { text: "providers:\n  m: {kind: mock}\n  m2: {kind: mock}\n" };
  const served = reloadableHandler(old.handler, { file: "gw.yaml", load: loaderOf(file) });
  assert.equal(await (await served.handler(request())).text(), "old");

  const streaming = await served.handler(new Request("http://localhost/stream"));
  const reader = streaming.body!.pipeThrough(new TextDecoderStream()).getReader();
  const firstRead = reader.read();
  old.next();
  assert.equal((await firstRead).value, "old0.");

  assert.deepEqual(served.reload(), { reloaded: true, file: "gw.yaml", providers: ["m", "m2"] });
  assert.equal(await (await served.handler(request())).text(), "m+m2");
  let rest = "";
  for (let i = 0; i < 2; i++) {
    const read = reader.read();
    old.next();
    rest += (await read).value;
  }
  assert.equal(rest, "old1.old2.", "the stream kept its handler");
  assert.equal((await reader.read()).done, true);
});

Deno.test("reloadableHandler: a bad file keeps the old handler, one line per problem", async () => {
  const file = { text: "providers:\n  m: {kind: nope}\n  x: 3\n" };
  const served = reloadableHandler(namedHandler("old").handler, {
    file: "gw.yaml",
    load: loaderOf(file),
  });
  const result = served.reload();
  assert.equal(result.reloaded, false);
  assert.ok(!result.reloaded && result.reason === "invalid_config");
  assert.equal(result.problems.length, 2);
  assert.match(result.problems[0], /^gw\.yaml: providers\.m\.kind: unknown kind 'nope'/);
  assert.match(result.problems[1], /^gw\.yaml: providers\.x: /);
  assert.equal(await (await served.handler(request())).text(), "old");

  file.text = "providers:\n  fixed: {kind: mock}\n";
  assert.equal(served.reload().reloaded, true);
  assert.equal(await (await served.handler(request())).text(), "fixed");
});

Deno.test("reloadableHandler: an unexpected failure names the file; no file, nothing to do", async () => {
  const failing = reloadableHandler(namedHandler("old").handler, {
    file: "gw.yaml",
    load: () => {
      throw new Error("building failed");
    },
  });
  assert.deepEqual(failing.reload(), {
    reloaded: false,
    reason: "invalid_config",
    file: "gw.yaml",
    problems: ["gw.yaml: building failed"],
  });
  let loads = 0;
  const fileless = reloadableHandler(namedHandler("env").handler, {
    load: () => {
      loads++;
      throw new Error("not called");
    },
  });
  assert.deepEqual(fileless.reload(), { reloaded: false, reason: "no_config_file" });
  assert.equal(loads, 0);
  assert.equal(await (await fileless.handler(request())).text(), "env");
});

const OK: ReloadResult = { reloaded: true, file: "gw.yaml", providers: ["m", "m2"] };
const BAD: ReloadResult = {
  reloaded: false,
  reason: "invalid_config",
  file: "gw.yaml",
  problems: ["gw.yaml: a: bad", "gw.yaml: b: bad"],
};

Deno.test("reloadLogLines: one line for agreeing workers, each outcome with its workers otherwise", () => {
  assert.deepEqual(reloadLogLines([OK, OK]), [{
    level: "info",
    msg: "config reloaded: providers m, m2",
    fields: { file: "gw.yaml", workers: 2 },
  }]);
  assert.deepEqual(reloadLogLines([BAD]).map((l) => [l.level, l.msg]), [
    ["warn", "config reload failed: gw.yaml: a: bad"],
    ["warn", "config reload failed: gw.yaml: b: bad"],
  ]);
  assert.deepEqual(
    reloadLogLines([{ reloaded: false, reason: "no_config_file" }]).map((l) => l.msg),
    [
      "no config file to reload (GATEWAY_CONFIG is unset and there was no ./gateway.yaml at start-up)",
    ],
  );
  const mixed = reloadLogLines([OK, { reloaded: false, reason: "no_answer" }, OK]);
  assert.deepEqual(mixed.map((l) => [l.level, l.fields.workers, l.fields.worker_indexes]), [
    ["info", 2, [0, 2]],
    ["warn", 1, [1]],
  ]);
});

/** Launcher ends and worker ends of real message channels, started and closed on dispose. */
function channels(count: number) {
  const pairs = Array.from({ length: count }, () => new MessageChannel());
  for (const p of pairs) {
    p.port1.start();
    p.port2.start();
  }
  return {
    launcher: pairs.map((p) => p.port1),
    workers: pairs.map((p) => p.port2),
    [Symbol.dispose]: () => pairs.forEach((p) => (p.port1.close(), p.port2.close())),
  };
}

Deno.test("coordinateReloads: every worker reloads, logged once; a worker's call gets its own outcome", async () => {
  using ports = channels(2);
  const lines: string[] = [];
  const logger = createLogger("info", (line) => lines.push(line));
  const reloads = [0, 0];
  ports.workers.forEach((port, i) =>
    answerReloads(port, () => {
      reloads[i]++;
      return { ...OK, providers: ["m", "m2"] };
    })
  );
  const reloadAll = coordinateReloads(ports.launcher, logger);
  assert.deepEqual(await reloadAll(), [OK, OK]);
  assert.deepEqual(reloads, [1, 1]);
  assert.deepEqual(lines.map((l) => JSON.parse(l).msg), ["config reloaded: providers m, m2"]);

  const fromWorker1 = askForReload(ports.workers[1]);
  assert.deepEqual(await fromWorker1(), OK);
  assert.deepEqual(reloads, [2, 2], "the call reloads every worker");
  assert.equal(lines.length, 2);
});

Deno.test("coordinateReloads: a silent worker counts as no_answer, after the others", async () => {
  using ports = channels(2);
  const lines: string[] = [];
  const logger = createLogger("info", (line) => lines.push(line));
  answerReloads(ports.workers[0], () => BAD);
  const results = await coordinateReloads(ports.launcher, logger, 50)();
  assert.deepEqual(results, [BAD, { reloaded: false, reason: "no_answer" }]);
  const logged = lines.map((l) => JSON.parse(l));
  assert.deepEqual(logged.map((l) => [l.level, l.worker_indexes]), [
    ["warn", [0]],
    ["warn", [0]],
    ["warn", [1]],
  ]);
});
