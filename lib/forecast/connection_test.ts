import assert from "node:assert/strict";
import type { ForecastFrame } from "../protocol.ts";
import {
  createLocalForecastConnection,
  createSocketForecastConnection,
  type ForecastError,
  type ForecastSocket,
} from "./connection.ts";

function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

Deno.test("local connection: forecasts arrive in batch order, errors carry codes", async () => {
  const connection = createLocalForecastConnection({ maxSeriesLength: 10 });
  const frames: ForecastFrame[] = [];
  const errors: ForecastError[] = [];
  const statuses: string[] = [];
  connection.onForecast((frame) => frames.push(frame));
  connection.onError((error) => errors.push(error));
  connection.onStatus((status) => statuses.push(status));
  connection.open("s", { horizon: 3, level: 0.9 });
  connection.points("s", [1, 2]);
  connection.points("s", [3, 4, 5]);
  connection.points("s", [NaN]);
  connection.points("s", [1, 2, 3, 4, 5, 6]);
  connection.points("other", [1]);
  assert.equal(frames.length, 0, "delivered asynchronously");
  await nextTask();
  assert.deepEqual(frames.map((f) => [f.n, f.method]), [[2, "naive"], [
    5,
    "holt",
  ]]);
  assert.equal(frames[1].forecast.length, 3);
  assert.deepEqual(errors.map((e) => e.code), [
    "bad_point",
    "series_too_long",
    "unknown_series",
  ]);
  assert.deepEqual(statuses, ["local"]);
  connection.dispose();
});

Deno.test("local connection: dispose cancels pending deliveries", async () => {
  const connection = createLocalForecastConnection();
  let delivered = 0;
  connection.onForecast(() => delivered++);
  connection.open("s", { horizon: 2, level: 0.95 });
  connection.points("s", [1, 2, 3]);
  connection.dispose();
  await nextTask();
  assert.equal(delivered, 0);
});

Deno.test("socket adapter: maps calls and events onto the client's API", () => {
  const calls: unknown[][] = [];
  const listeners = new Map<string, (payload: unknown) => void>();
  const fake = {
    openSeries: (...args: unknown[]) => calls.push(["openSeries", ...args]),
    sendPoints: (...args: unknown[]) => calls.push(["sendPoints", ...args]),
    closeSeries: (...args: unknown[]) => calls.push(["closeSeries", ...args]),
    on: (event: string, fn: (payload: unknown) => void) => {
      listeners.set(event, fn);
      return () => listeners.delete(event);
    },
  } as unknown as ForecastSocket;
  const connection = createSocketForecastConnection(fake);
  const seen: unknown[] = [];
  connection.onForecast((frame) => seen.push(frame.n));
  connection.onError((error) => seen.push(error.code));
  connection.onStatus((status) => seen.push(status));
  connection.open("s", { horizon: 5, level: 0.8 });
  connection.points("s", [1, 2]);
  connection.close("s");
  assert.deepEqual(calls, [
    ["openSeries", "s", { horizon: 5, level: 0.8 }],
    ["sendPoints", "s", [1, 2]],
    ["closeSeries", "s"],
  ]);
  listeners.get("forecast")!({ type: "forecast", n: 7 });
  listeners.get("error")!({
    type: "error",
    code: "bad_point",
    message: "x",
    time: "00:00:00",
    id: "s",
  });
  listeners.get("state")!({ state: "reconnecting" });
  assert.deepEqual(seen, [7, "bad_point", "reconnecting"]);
  connection.dispose();
  assert.equal(listeners.size, 0);
});
