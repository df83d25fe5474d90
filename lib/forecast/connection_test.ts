import assert from "node:assert/strict";
import type {
  ErrorFrame,
  ForecastFrame,
  SeriesCloseFrame,
  SeriesOpenFrame,
  SeriesPointsFrame,
  WelcomeFrame,
} from "../protocol.ts";
import type { ConnectionSnapshot } from "../client/socket_client.ts";
import {
  checkPoints,
  type ForecastError,
  type ForecastSocket,
  type ForecastTimers,
  LiveForecast,
} from "./connection.ts";

type Call = [string, ...unknown[]];

/** A stand-in for SocketClient that records calls and lets the test emit events. */
class FakeClient {
  calls: Call[] = [];
  listeners = new Map<string, Set<(payload: unknown) => void>>();
  snapshot: ConnectionSnapshot = {
    state: "connecting",
    attempt: 0,
    nextRetryAt: null,
    welcome: null,
    lastClose: null,
  };
  sendNow(frame: SeriesOpenFrame | SeriesPointsFrame | SeriesCloseFrame) {
    if (frame.type === "series_open") {
      this.calls.push(["open", frame.id, {
        horizon: frame.horizon,
        level: frame.level,
      }]);
    } else if (frame.type === "series_points") {
      this.calls.push(["points", frame.id, [...frame.points]]);
    } else {
      this.calls.push(["close", frame.id]);
    }
    return this.snapshot.state === "open";
  }
  on(event: string, fn: (payload: unknown) => void) {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, set = new Set());
    set.add(fn);
    return () => set.delete(fn);
  }
  emit(event: string, payload: unknown) {
    this.listeners.get(event)?.forEach((fn) => fn(payload));
  }
  welcome(ratePerSecond: number) {
    const welcome = {
      type: "welcome",
      limits: { ratePerSecond },
    } as unknown as WelcomeFrame;
    this.snapshot = { ...this.snapshot, state: "open", welcome };
    this.emit("state", this.snapshot);
    this.emit("welcome", welcome);
  }
  drop() {
    this.snapshot = { ...this.snapshot, state: "reconnecting" };
    this.emit("state", this.snapshot);
  }
  forecast(id: string, n: number) {
    this.emit("forecast", { type: "forecast", id, n } as ForecastFrame);
  }
  error(code: string, id?: string) {
    this.emit("error", {
      type: "error",
      code,
      message: `server says ${code}.`,
      time: "00:00:00",
      id,
    } as ErrorFrame);
  }
  take(): Call[] {
    return this.calls.splice(0);
  }
}

/** Manual clock and timers. */
class FakeTimers implements ForecastTimers {
  time = 1000;
  pending = new Map<number, { at: number; fn: () => void }>();
  #next = 1;
  now() {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number) {
    const handle = this.#next++;
    this.pending.set(handle, { at: this.time + ms, fn });
    return handle;
  }
  clearTimeout(handle: unknown) {
    this.pending.delete(handle as number);
  }
  advance(ms: number) {
    this.time += ms;
    for (const [handle, timer] of [...this.pending]) {
      if (timer.at <= this.time) {
        this.pending.delete(handle);
        timer.fn();
      }
    }
  }
}

function setup(maxPoints = 100) {
  const client = new FakeClient();
  const timers = new FakeTimers();
  const live = new LiveForecast(client as unknown as ForecastSocket, {
    horizon: 5,
    level: 0.9,
    maxPoints,
    rateShare: 0.5,
    timers,
  });
  const frames: number[] = [];
  const errors: ForecastError[] = [];
  let restarts = 0;
  live.onForecast((frame) => frames.push(frame.n));
  live.onError((error) => errors.push(error));
  live.onRestart(() => restarts++);
  return { client, timers, live, frames, errors, restarts: () => restarts };
}

Deno.test("checkPoints: finite numbers only, all or nothing, within the room left", () => {
  assert.equal(checkPoints([1, 2.5, -3], 3, 10), null);
  assert.equal(checkPoints([1, NaN], 5, 10)?.code, "bad_point");
  assert.match(
    checkPoints([1, Infinity], 5, 10)!.message,
    /Point 2 .*Infinity/,
  );
  assert.equal(checkPoints(["1"], 5, 10)?.code, "bad_point");
  assert.equal(checkPoints([null], 5, 10)?.code, "bad_point");
  const tooLong = checkPoints([1, 2, 3], 2, 10);
  assert.equal(tooLong?.code, "series_too_long");
  assert.match(tooLong!.message, /at most 10 points; 2 more fit/);
});

Deno.test("LiveForecast opens a series on welcome and sends queued points", () => {
  const { client, live } = setup();
  assert.equal(live.add([1, 2]), null, "queued while connecting");
  assert.deepEqual(client.take(), []);
  client.welcome(20);
  assert.deepEqual(client.take(), [
    ["open", "forecast-1", { horizon: 5, level: 0.9 }],
    ["points", "forecast-1", [1, 2]],
  ]);
  live.dispose();
});

Deno.test("LiveForecast paces batches under the server's frame rate and coalesces points", () => {
  const { client, timers, live } = setup();
  client.welcome(20); // 20 frames/s × 0.5 share → one batch per 100 ms
  client.take();
  live.add([1]);
  live.add([2]);
  assert.deepEqual(client.take(), [["points", "forecast-1", [1]]]);
  for (let i = 3; i <= 6; i++) {
    timers.advance(20);
    live.add([i]);
  }
  assert.deepEqual(client.take(), [], "held back: 80 ms since the last batch");
  timers.advance(20);
  assert.deepEqual(client.take(), [["points", "forecast-1", [2, 3, 4, 5, 6]]]);
  assert.equal(timers.pending.size, 0);
  live.dispose();
});

Deno.test("LiveForecast passes on forecasts of the current id only and tracks pending points", () => {
  const { client, live, frames } = setup();
  client.welcome(1000);
  live.add([1, 2, 3]);
  assert.equal(live.pending, 3);
  client.forecast("forecast-1", 3);
  client.forecast("forecast-0", 9);
  assert.deepEqual(frames, [3]);
  assert.equal(live.pending, 0);
  live.dispose();
});

Deno.test("LiveForecast reconnect: a new id with every point; the old one is not replayed", () => {
  const { client, timers, live, frames, restarts } = setup();
  client.welcome(1000);
  live.add([1, 2]);
  client.forecast("forecast-1", 2);
  client.drop();
  assert.deepEqual(client.take().slice(-1), [["close", "forecast-1"]]);
  assert.equal(live.seriesId, null);
  live.add([3]);
  assert.deepEqual(client.take(), [], "nothing goes out while offline");
  timers.advance(1000);
  client.welcome(1000);
  assert.deepEqual(client.take(), [
    ["open", "forecast-2", { horizon: 5, level: 0.9 }],
    ["points", "forecast-2", [1, 2, 3]],
  ]);
  client.forecast("forecast-1", 2);
  client.forecast("forecast-2", 3);
  assert.deepEqual(frames, [2, 3]);
  assert.equal(restarts(), 2);
  live.dispose();
});

Deno.test("LiveForecast: a rejected batch is dropped and the series restarts from what the server kept", () => {
  const { client, timers, live, errors } = setup();
  client.welcome(1000);
  live.add([1, 2]);
  client.forecast("forecast-1", 2);
  timers.advance(100);
  live.add([3, 4]);
  client.take();
  client.error("series_too_long", "forecast-1");
  assert.deepEqual(errors.map((e) => e.code), ["series_too_long"]);
  assert.match(errors[0].message, /The last 2 points were dropped\./);
  assert.deepEqual(live.points, [1, 2]);
  timers.advance(10);
  assert.deepEqual(client.take(), [
    ["close", "forecast-1"],
    ["open", "forecast-2", { horizon: 5, level: 0.9 }],
    ["points", "forecast-2", [1, 2]],
  ]);
  client.error("series_too_long", "forecast-2");
  assert.deepEqual(client.take(), [], "no second restart before a forecast");
  client.error("unknown_series", "forecast-1");
  assert.equal(errors.length, 2, "errors about old ids are ignored");
  live.dispose();
});

Deno.test("LiveForecast: local checks refuse bad points and over-long series", () => {
  const { client, live } = setup(3);
  client.welcome(1000);
  client.take();
  assert.equal(live.add([1, "x"])?.code, "bad_point");
  assert.equal(live.add([1, 2, 3, 4])?.code, "series_too_long");
  assert.deepEqual(client.take(), []);
  assert.equal(live.add([1, 2, 3]), null);
  assert.equal(live.add([4])?.code, "series_too_long");
  live.dispose();
});

Deno.test("LiveForecast: configure and reset restart the series; dispose closes it and unsubscribes", () => {
  const { client, timers, live } = setup();
  client.welcome(1000);
  live.add([1, 2, 3]);
  timers.advance(10);
  live.configure({ horizon: 20 });
  assert.deepEqual(client.take().slice(-3), [
    ["close", "forecast-1"],
    ["open", "forecast-2", { horizon: 20, level: 0.9 }],
    ["points", "forecast-2", [1, 2, 3]],
  ]);
  live.reset();
  assert.deepEqual(client.take(), [
    ["close", "forecast-2"],
    ["open", "forecast-3", { horizon: 20, level: 0.9 }],
  ]);
  live.dispose();
  assert.deepEqual(client.take(), [["close", "forecast-3"]]);
  const listeners = [...client.listeners.values()].reduce(
    (sum, set) => sum + set.size,
    0,
  );
  assert.equal(listeners, 0);
});
