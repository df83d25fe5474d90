import assert from "node:assert/strict";
import { createLogger } from "./log.ts";

Deno.test("log: JSON lines, level filter, bodies dropped unless enabled", () => {
  const lines: [string, string][] = [];
  const write = (line: string, level: string) => void lines.push([line, level]);
  const log = createLogger({ level: "info", write });
  log.debug("hidden");
  log.info("ws_open", { connection: "c", text: "secret", message: "secret" });
  log.error("boom", { error: new TypeError("bad") });
  assert.equal(lines.length, 2);
  const first = JSON.parse(lines[0][0]);
  assert.equal(first.level, "info");
  assert.equal(first.event, "ws_open");
  assert.equal(first.connection, "c");
  assert.ok(!("text" in first) && !("message" in first));
  assert.match(first.time, /^\d{4}-\d{2}-\d{2}T/);
  assert.equal(JSON.parse(lines[1][0]).error, "TypeError: bad");
  assert.equal(lines[1][1], "error");
  const withBodies = createLogger({ bodies: true, write });
  withBodies.info("x", { text: "shown" });
  assert.equal(JSON.parse(lines[2][0]).text, "shown");
  createLogger({ level: "silent", write }).error("nothing");
  assert.equal(lines.length, 3);
});
