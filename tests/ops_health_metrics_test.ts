/**
 * /healthz and /metrics of the built app, started as in production and with
 * the shared bus on a real redis-server: the exposition parses, counters
 * move with WebSocket traffic, and health turns 503 "degraded" while Redis
 * is down and back to 200 "ok" when it returns.
 */
import assert from "node:assert/strict";
import { buildApp } from "./helpers/build_app.ts";
import {
  type Family,
  parsePrometheusText,
  sampleValue,
} from "./helpers/prometheus_text.ts";
import { startRedisServer } from "./helpers/redis_server.ts";
import {
  REPO_ROOT,
  type ServerProcess,
  startServer,
} from "./helpers/server_process.ts";
import { WsClient } from "./helpers/ws_client.ts";
import { waitUntil } from "./helpers/wait.ts";

/** A message text that must never appear in the logs. */
const SECRET_TEXT = "ops private body 7f3a";

async function scrape(app: ServerProcess): Promise<Map<string, Family>> {
  const res = await fetch(`${app.url}/metrics`);
  assert.equal(res.status, 200);
  assert.equal(
    res.headers.get("content-type"),
    "text/plain; version=0.0.4; charset=utf-8",
  );
  return parsePrometheusText(await res.text());
}

async function healthz(
  app: ServerProcess,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${app.url}/healthz`);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  assert.equal(res.headers.get("cache-control"), "no-store");
  return { status: res.status, body: await res.json() };
}

Deno.test({
  name: "healthz and metrics report traffic and a Redis outage",
  async fn(t) {
    const build = await buildApp(REPO_ROOT);
    const redis = await startRedisServer();
    let app: ServerProcess | undefined;
    try {
      app = await startServer({
        env: {
          ...build.env,
          REDIS_URL: redis.url,
          BUS: "redis",
          INSTANCE_ID: "ops-test",
          PROCESS_DELAY_MS: "0",
          LOG_LEVEL: "info",
        },
      });
      const server = app;

      await t.step("healthz is 200 ok with every field", async () => {
        const { status, body } = await waitUntil(
          () => healthz(server),
          "healthz 200",
          { done: (h) => h.status === 200, intervalMs: 100 },
        );
        assert.equal(status, 200);
        assert.equal(body.status, "ok");
        assert.equal(body.bus, "ok");
        assert.equal(body.instance, "ops-test");
        assert.equal(typeof body.version, "string");
        assert.ok(Number(body.uptimeSeconds) > 0);
        assert.equal(body.connections, 0);
        assert.equal(body.rooms, 0);
      });

      await t.step("counters move with WebSocket traffic", async () => {
        const before = await scrape(server);
        assert.equal(sampleValue(before, "realtime_connections_open"), 0);
        assert.equal(sampleValue(before, "realtime_bus_up"), 1);
        assert.equal(
          sampleValue(before, "realtime_build_info", { instance: "ops-test" }),
          1,
        );
        const framesIn0 = sampleValue(before, "realtime_frames_in_total");
        const framesOut0 = sampleValue(before, "realtime_frames_out_total");
        const processed0 = sampleValue(
          before,
          "realtime_processing_seconds_count",
        );
        const accepted0 = sampleValue(before, "realtime_connections_total");

        const client = await WsClient.open(`${server.wsUrl}/ws`);
        try {
          client.send({ type: "hello", protocol: 1 });
          await client.waitFor((f) => f.type === "welcome");
          client.send({ type: "send", id: "m1", text: SECRET_TEXT });
          await client.waitFor((f) => f.type === "result");
          client.send("{not json");
          await client.waitFor((f) => f.code === "bad_json");
          client.send({ type: "join", room: "ops-metrics", name: "Ops" });
          await client.waitFor((f) => f.type === "joined");

          const during = await scrape(server);
          assert.equal(sampleValue(during, "realtime_connections_open"), 1);
          assert.equal(sampleValue(during, "realtime_rooms"), 1);
          assert.equal(
            (await healthz(server)).body.connections,
            1,
          );
          // hello, send, bad JSON, join
          assert.equal(
            sampleValue(during, "realtime_frames_in_total") - framesIn0,
            4,
          );
          // at least welcome, ack, result, error, joined
          assert.ok(
            sampleValue(during, "realtime_frames_out_total") - framesOut0 >= 5,
          );
          assert.equal(
            sampleValue(during, "realtime_errors_total", { code: "bad_json" }),
            1,
          );
          assert.equal(
            sampleValue(during, "realtime_processing_seconds_count") -
              processed0,
            1,
          );
          assert.equal(
            sampleValue(during, "realtime_processing_seconds_bucket", {
              le: "+Inf",
            }) - processed0,
            1,
          );
          assert.equal(
            sampleValue(during, "realtime_connections_total") - accepted0,
            1,
          );
        } finally {
          await client.close();
        }

        const after = await waitUntil(
          () => scrape(server),
          "the socket to be counted closed",
          {
            done: (m) => sampleValue(m, "realtime_connections_open") === 0,
            intervalMs: 100,
          },
        );
        assert.equal(
          sampleValue(after, "realtime_closes_total", { code: "1000" }),
          1,
        );
      });

      await t.step("Redis down: 503 degraded; back: 200 ok", async () => {
        await redis.kill();
        const down = await waitUntil(
          () => healthz(server),
          "healthz 503 after killing redis-server",
          { done: (h) => h.status === 503, intervalMs: 100 },
        );
        assert.equal(down.body.status, "degraded");
        assert.equal(down.body.bus, "degraded");
        assert.equal(sampleValue(await scrape(server), "realtime_bus_up"), 0);

        await redis.restart();
        const up = await waitUntil(
          () => healthz(server),
          "healthz 200 after restarting redis-server",
          { done: (h) => h.status === 200, intervalMs: 100 },
        );
        assert.equal(up.body.bus, "ok");
        const metrics = await waitUntil(
          () => scrape(server),
          "the reconnect to be counted",
          {
            done: (m) => sampleValue(m, "realtime_bus_reconnects_total") >= 1,
            intervalMs: 100,
          },
        );
        assert.equal(sampleValue(metrics, "realtime_bus_up"), 1);
      });

      await t.step("logs are JSON lines with time and level", () => {
        const lines = server.stdout().split("\n").filter((l) =>
          l.startsWith("{")
        );
        assert.ok(lines.length > 0, "the app logged nothing as JSON");
        for (const line of lines) {
          const record = JSON.parse(line);
          assert.equal(typeof record.time, "string");
          assert.ok(!Number.isNaN(Date.parse(record.time)));
          assert.match(record.level, /^(debug|info|warn|error)$/);
          assert.equal(typeof record.event, "string");
        }
        // The text sent above never reaches the logs (LOG_BODIES is off).
        assert.ok(!server.stdout().includes(SECRET_TEXT));
        assert.ok(!server.stdout().includes(SECRET_TEXT.toUpperCase()));
      });
    } finally {
      await app?.stop();
      await redis.stop();
    }
  },
});
