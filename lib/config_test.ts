import assert from "node:assert/strict";
import { ConfigError, loadConfig, SETTINGS } from "./config.ts";

Deno.test("defaults", () => {
  const config = loadConfig({});
  assert.equal(config.port, 8000);
  assert.equal(config.processDelayMs, 2000);
  assert.equal(config.maxInFlight, 16);
  assert.ok(config.workerPoolSize >= 1);
  assert.equal(config.maxFrameBytes, 65536);
  assert.equal(config.maxTextLength, 2000);
  assert.equal(config.ratePerSecond, 20);
  assert.equal(config.rateBurst, 40);
  assert.equal(config.rateAbuseLimit, 20);
  assert.equal(config.maxConnections, 10000);
  assert.equal(config.maxConnectionsPerIp, 200);
  assert.equal(config.maxBufferedBytes, 1048576);
  assert.equal(config.heartbeatMs, 30000);
  assert.deepEqual(config.allowedOrigins, []);
  assert.equal(config.accessToken, undefined);
  assert.equal(config.trustProxy, false);
  assert.equal(config.bus, "local");
  assert.equal(config.historyOnJoin, 50);
  assert.equal(config.historyLimit, 1000);
  assert.equal(config.seriesMaxPoints, 10000);
  assert.equal(config.shutdownTimeoutMs, 10000);
  assert.equal(config.logLevel, "info");
  assert.equal(config.logBodies, false);
});

Deno.test("values from the environment", () => {
  const config = loadConfig({
    PORT: "0",
    PROCESS_DELAY_MS: "5",
    ALLOWED_ORIGINS: "https://a.example, http://b.example:8080/path",
    ACCESS_TOKEN: "t",
    TRUST_PROXY: "yes",
    REDIS_URL: "redis://127.0.0.1:6379",
    RATE_PER_SECOND: "2.5",
    LOG_LEVEL: "silent",
    LOG_BODIES: "1",
    HEARTBEAT_MS: "0",
  });
  assert.equal(config.port, 0);
  assert.equal(config.processDelayMs, 5);
  assert.deepEqual(config.allowedOrigins, [
    "https://a.example",
    "http://b.example:8080",
  ]);
  assert.equal(config.accessToken, "t");
  assert.equal(config.trustProxy, true);
  assert.equal(config.bus, "redis", "redis is the default bus with REDIS_URL");
  assert.equal(config.ratePerSecond, 2.5);
  assert.equal(config.logLevel, "silent");
  assert.equal(config.logBodies, true);
  assert.equal(config.heartbeatMs, 0);
  assert.equal(loadConfig({ BUS: "broadcast" }).bus, "broadcast");
});

Deno.test("bad values throw a ConfigError naming the variable and what it takes", () => {
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ PORT: "http" }, "PORT", /whole number from 0 to 65535/],
    [{ PORT: "70000" }, "PORT", /65535/],
    [{ MAX_IN_FLIGHT: "1.5" }, "MAX_IN_FLIGHT", /whole number/],
    [{ MAX_IN_FLIGHT: "0" }, "MAX_IN_FLIGHT", /from 1/],
    [{ RATE_PER_SECOND: "fast" }, "RATE_PER_SECOND", /number/],
    [{ TRUST_PROXY: "maybe" }, "TRUST_PROXY", /true or false/],
    [{ BUS: "kafka" }, "BUS", /local, redis, broadcast/],
    [{ BUS: "redis" }, "BUS", /REDIS_URL/],
    [{ REDIS_URL: "http://x" }, "REDIS_URL", /redis:\/\//],
    [{ ALLOWED_ORIGINS: "example.com" }, "ALLOWED_ORIGINS", /origins/],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL", /debug/],
    [{ HEARTBEAT_MS: "500" }, "HEARTBEAT_MS", /0 \(off\)/],
  ];
  for (const [env, variable, message] of cases) {
    assert.throws(
      () => loadConfig(env),
      (error: unknown) =>
        error instanceof ConfigError && error.variable === variable &&
        error.message.includes(variable) && message.test(error.message),
      JSON.stringify(env),
    );
  }
});

Deno.test("SETTINGS documents every variable loadConfig reads", async () => {
  const source = await Deno.readTextFile(
    new URL("./config.ts", import.meta.url),
  );
  const read = new Set(
    [...source.matchAll(/\(env, "([A-Z_]+)"/g)].map((match) => match[1]),
  );
  const documented = new Set(SETTINGS.map((setting) => setting.name));
  assert.deepEqual([...read].filter((name) => !documented.has(name)), []);
  assert.equal(documented.size, SETTINGS.length, "no duplicates");
});
