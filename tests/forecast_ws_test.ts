/**
 * The `series_*` frames over a real /ws (RealtimeServer behind Deno.serve,
 * real worker pool): one forecast per batch in order, worker refits that are
 * really applied, bad points, over-long series, unknown ids, and state freed
 * on `series_close` and on socket close.
 *
 * The test hook wraps the server's real series handler factory: it records
 * which series each connection has open (from the frames the handler sends)
 * and whether the connection called `close()` on it.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../lib/config.ts";
import { createLogger } from "../lib/log.ts";
import type { ForecastFrame } from "../lib/protocol.ts";
import { WorkerPool } from "../lib/processing/worker_pool.ts";
import { createSeriesHandlerFactory } from "../lib/server/series_handler.ts";
import type { SeriesHandlerFactory } from "../lib/server/connection.ts";
import { SeriesSessions } from "../lib/forecast/series_session.ts";
import { runRefitJob } from "../lib/forecast/forecast_job.ts";
import { createTicker, tickerTake } from "../lib/forecast/ticker.ts";
import { startRealtime, TEST_ENV } from "./helpers/realtime_server.ts";
import { type Frame, WsClient } from "./helpers/ws_client.ts";
import { waitUntil } from "./helpers/wait.ts";

const ENV = {
  RATE_PER_SECOND: "10000",
  RATE_BURST: "10000",
  SERIES_MAX_POINTS: "3500",
};

/** What the hook saw of one connection's series handler. */
interface Tracked {
  open: Set<string>;
  closed: boolean;
}

function startForecastServer() {
  const config = loadConfig({ ...TEST_ENV, ...ENV });
  const pool = new WorkerPool({ size: 2 });
  const real = createSeriesHandlerFactory(
    pool,
    config,
    createLogger({ level: "silent" }),
  );
  const handlers: Tracked[] = [];
  const series: SeriesHandlerFactory = (context) => {
    const tracked: Tracked = { open: new Set(), closed: false };
    handlers.push(tracked);
    const handler = real({
      ...context,
      send(frame) {
        if (frame.type === "series_opened") tracked.open.add(frame.id);
        if (frame.type === "series_closed") tracked.open.delete(frame.id);
        context.send(frame);
      },
    });
    return {
      handle: (frame) => handler.handle(frame),
      close() {
        tracked.closed = true;
        tracked.open.clear();
        handler.close();
      },
    };
  };
  const server = startRealtime(ENV, { pool, series });
  return { server, pool, handlers };
}

async function connect(url: string): Promise<WsClient> {
  const client = await WsClient.open(url);
  client.send({ type: "hello", protocol: 1 });
  await client.waitFor((f) => f.type === "welcome");
  return client;
}

const isForecast = (id: string) => (f: Frame) =>
  f.type === "forecast" && f.id === id;
const isError = (code: string, id?: string) => (f: Frame) =>
  f.type === "error" && f.code === code && (id === undefined || f.id === id);

function prices(seed: number, count: number): number[] {
  return tickerTake(createTicker({ seed }), count)[0];
}

/** The parts of a forecast frame that are deterministic (not elapsedMs). */
function shape(frame: ForecastFrame | Frame) {
  const { id, n, method, forecast, lower, upper, level } = frame;
  return { id, n, method, forecast, lower, upper, level };
}

Deno.test("forecast over /ws", async (t) => {
  const { server, pool, handlers } = startForecastServer();
  try {
    await t.step(
      "series_open → series_opened; batches → one forecast each, in order",
      async () => {
        const client = await connect(server.wsUrl);
        client.send({ type: "series_open", id: "s", horizon: 7, level: 0.9 });
        const opened = await client.waitFor((f) => f.type === "series_opened");
        assert.deepEqual(opened, {
          type: "series_opened",
          id: "s",
          horizon: 7,
          level: 0.9,
        });
        const data = prices(1, 400);
        const sizes = [1, 2, 3, 10, 50, 1, 100, 33, 200];
        let offset = 0;
        for (const size of sizes) {
          client.send({
            type: "series_points",
            id: "s",
            points: data.slice(offset, offset + size),
          });
          offset += size;
        }
        const frames = await client.waitForCount(isForecast("s"), sizes.length);
        let n = 0;
        frames.forEach((frame, i) => {
          n += sizes[i];
          assert.equal(frame.n, n, "in batch order, n counts every point");
          assert.equal(frame.level, 0.9);
          assert.equal(frame.forecast.length, 7);
          assert.ok(frame.elapsedMs >= 0);
          if (n < 3) {
            assert.equal(frame.method, "naive", "too few points for Holt");
            assert.deepEqual(frame.lower, []);
            assert.deepEqual(frame.upper, []);
            return;
          }
          assert.equal(frame.method, "holt");
          assert.equal(frame.lower.length, 7);
          assert.equal(frame.upper.length, 7);
          for (let h = 0; h < 7; h++) {
            assert.ok(frame.lower[h] <= frame.forecast[h]);
            assert.ok(frame.forecast[h] <= frame.upper[h]);
          }
          // The interval widens with the horizon.
          assert.ok(
            frame.upper[6] - frame.lower[6] >= frame.upper[0] - frame.lower[0],
          );
        });
        assert.equal(client.ofType("error").length, 0);
        await client.close();
      },
    );

    await t.step(
      "a long series is refitted in the worker pool and the refit is used",
      async () => {
        const client = await connect(server.wsUrl);
        // The same state machine, driven by hand, says what the server must send.
        const withRefit = new SeriesSessions({ maxSeriesLength: 3500 });
        const withoutRefit = new SeriesSessions({ maxSeriesLength: 3500 });
        withRefit.open("long");
        withoutRefit.open("long");
        client.send({ type: "series_open", id: "long" });
        const data = prices(7, 3000);
        const completedBefore = pool.stats().completed;
        let received = 0;
        let jobs = 0;
        for (let batch = 0; batch < 6; batch++) {
          const points = data.slice(batch * 500, (batch + 1) * 500);
          client.send({ type: "series_points", id: "long", points });
          const expected = withRefit.addPoints("long", points);
          const stale = withoutRefit.addPoints("long", points);
          assert.ok(expected.ok && stale.ok);
          received++;
          const [frame] =
            (await client.waitForCount(isForecast("long"), received))
              .slice(-1);
          assert.deepEqual(shape(frame), shape(expected.frame));
          if (batch === 5) {
            assert.notDeepEqual(
              frame.forecast,
              stale.frame.forecast,
              "the refitted parameters changed the forecast",
            );
          }
          if (expected.refit) {
            // Above 2,000 points the server hands the refit to the pool; wait
            // until it has run there before the next batch.
            jobs++;
            await waitUntil(
              () => pool.stats().completed >= completedBefore + jobs,
              "the refit to complete in the pool",
            );
            assert.ok(withRefit.applyRefit(runRefitJob(expected.refit)));
          }
        }
        assert.equal(jobs, 2, "refits in the pool at 2,500 and 3,000 points");
        assert.equal(
          server.realtime.stats().pool.completed,
          completedBefore + 2,
        );
        assert.equal(pool.stats().failed, 0);
        await client.close();
      },
    );

    await t.step(
      "bad points are refused with bad_point and change nothing",
      async () => {
        const client = await connect(server.wsUrl);
        client.send({ type: "series_open", id: "b", horizon: 3 });
        client.send({ type: "series_points", id: "b", points: [1, 2, 3] });
        await client.waitFor(isForecast("b"));
        const bad: unknown[][] = [[4, "5"], [null], [[1]], [true], [{}]];
        for (const points of bad) {
          client.send({ type: "series_points", id: "b", points });
        }
        // JSON has no Infinity, but 1e999 parses to it.
        client.send('{"type":"series_points","id":"b","points":[4,1e999]}');
        const errors = await client.waitForCount(
          isError("bad_point", "b"),
          bad.length + 1,
        );
        assert.match(errors[0].message, /finite number/);
        client.send('{"type":"series_points","id":"b","points":[NaN]}');
        await client.waitFor(isError("bad_json"));
        client.send({ type: "series_points", id: "b", points: [4] });
        const frames = await client.waitForCount(isForecast("b"), 2);
        assert.equal(frames[1].n, 4, "no bad batch was kept");
        await client.close();
      },
    );

    await t.step(
      "a series past SERIES_MAX_POINTS gets series_too_long; the frame limit is 1,000 points",
      async () => {
        const client = await connect(server.wsUrl);
        client.send({ type: "series_open", id: "t" });
        const data = prices(3, 3501);
        for (let i = 0; i < 3; i++) {
          client.send({
            type: "series_points",
            id: "t",
            points: data.slice(i * 1000, (i + 1) * 1000),
          });
        }
        client.send({
          type: "series_points",
          id: "t",
          points: data.slice(3000, 3501),
        });
        const tooLong = await client.waitFor(isError("series_too_long", "t"));
        assert.match(tooLong.message, /3501 points; the limit is 3500/);
        client.send({
          type: "series_points",
          id: "t",
          points: data.slice(3000, 3500),
        });
        const frames = await client.waitForCount(isForecast("t"), 4);
        assert.equal(
          frames[3].n,
          3500,
          "the refused batch left the series as it was",
        );
        client.send({
          type: "series_points",
          id: "t",
          points: new Array(1001).fill(1),
        });
        const invalid = await client.waitFor(isError("invalid_field", "t"));
        assert.match(invalid.message, /1000 points per frame/);
        for (const options of [{ horizon: 0 }, { horizon: 51 }, { level: 1 }]) {
          client.send({ type: "series_open", id: "u", ...options });
        }
        await client.waitForCount(isError("invalid_field", "u"), 3);
        await client.close();
      },
    );

    await t.step(
      "unknown ids, series_close, and socket close free the state",
      async () => {
        const client = await connect(server.wsUrl);
        client.send({ type: "series_points", id: "nope", points: [1] });
        client.send({ type: "series_close", id: "nope" });
        await client.waitForCount(isError("unknown_series", "nope"), 2);
        const tracked = handlers.at(-1)!;
        for (const id of ["a", "b", "c"]) {
          client.send({ type: "series_open", id });
          client.send({ type: "series_points", id, points: [1, 2, 3, 4] });
        }
        await client.waitForCount((f) => f.type === "forecast", 3);
        assert.deepEqual([...tracked.open].sort(), ["a", "b", "c"]);

        client.send({ type: "series_close", id: "a" });
        assert.deepEqual(
          await client.waitFor((f) => f.type === "series_closed"),
          { type: "series_closed", id: "a" },
        );
        client.send({ type: "series_points", id: "a", points: [5] });
        await client.waitFor(isError("unknown_series", "a"));
        assert.deepEqual([...tracked.open].sort(), ["b", "c"]);

        // Re-opening an id starts it afresh.
        client.send({ type: "series_open", id: "b" });
        client.send({ type: "series_points", id: "b", points: [9] });
        const restarted = await client.waitForCount(isForecast("b"), 2);
        assert.equal(restarted[1].n, 1);

        assert.equal(tracked.closed, false);
        await client.close();
        await waitUntil(() => tracked.closed, "the server to close the series");
        assert.equal(tracked.open.size, 0);
        await waitUntil(
          () => server.realtime.stats().connectionsOpen === 0,
          "the connection to be forgotten",
        );
      },
    );
  } finally {
    await server.close();
  }
});
