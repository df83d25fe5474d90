import assert from "node:assert/strict";
import { fitHolt, forecastHolt, smoothHolt } from "./holt.ts";
import {
  HOLT_METHOD,
  NAIVE_METHOD,
  replaySeries,
  runRefitJob,
} from "./forecast_job.ts";
import { refitInterval, SeriesSessions } from "./series_session.ts";

function ok<T extends { ok: boolean }>(result: T): Extract<T, { ok: true }> {
  assert.equal(result.ok, true, JSON.stringify(result));
  return result as Extract<T, { ok: true }>;
}

function walk(n: number, seed = 1): number[] {
  let state = seed >>> 0;
  let price = 100;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    price += 0.05 + (state / 2 ** 32 - 0.5);
    out.push(price);
  }
  return out;
}

Deno.test("session: open answers series_opened with defaults and validates options", () => {
  const s = new SeriesSessions();
  assert.deepEqual(ok(s.open("a")).frame, {
    type: "series_opened",
    id: "a",
    horizon: 10,
    level: 0.95,
  });
  assert.deepEqual(ok(s.open("b", { horizon: 3, level: 0.8 })).frame, {
    type: "series_opened",
    id: "b",
    horizon: 3,
    level: 0.8,
  });
  for (
    const bad of [{ horizon: 0 }, { horizon: 51 }, { horizon: 2.5 }, {
      level: 0.4,
    }, { level: 1 }]
  ) {
    const result = s.open("c", bad);
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.code, "invalid_field");
      assert.equal(result.id, "c");
    }
  }
  assert.equal(s.size, 2);
});

Deno.test("session: unknown ids are unknown_series for points and close", () => {
  const s = new SeriesSessions();
  const points = s.addPoints("nope", [1]);
  const closed = s.close("nope");
  assert.equal(!points.ok && points.code, "unknown_series");
  assert.equal(!closed.ok && closed.code, "unknown_series");
});

Deno.test("session: a bad point rejects the whole batch with bad_point", () => {
  const s = new SeriesSessions();
  ok(s.open("a"));
  ok(s.addPoints("a", [1, 2]));
  for (const bad of [[3, NaN], [Infinity], [4, "5"], [null], [-Infinity, 1]]) {
    const result = s.addPoints("a", bad);
    assert.equal(!result.ok && result.code, "bad_point", JSON.stringify(bad));
  }
  assert.equal(s.length("a"), 2);
  const empty = s.addPoints("a", []);
  assert.equal(!empty.ok && empty.code, "invalid_field");
});

Deno.test("session: passing the length limit is series_too_long and keeps the series", () => {
  const s = new SeriesSessions({ maxSeriesLength: 5 });
  ok(s.open("a"));
  ok(s.addPoints("a", [1, 2, 3]));
  const result = s.addPoints("a", [4, 5, 6]);
  assert.equal(!result.ok && result.code, "series_too_long");
  assert.equal(s.length("a"), 3);
  assert.equal(ok(s.addPoints("a", [4, 5])).frame.n, 5);
});

Deno.test("session: too many open series is refused, reopening an id resets it", () => {
  const s = new SeriesSessions({ maxOpenSeries: 2 });
  ok(s.open("a"));
  ok(s.open("b"));
  const third = s.open("c");
  assert.equal(!third.ok && third.code, "invalid_field");
  ok(s.addPoints("a", [1, 2, 3, 4]));
  ok(s.open("a", { horizon: 2 }));
  assert.equal(s.length("a"), 0);
  assert.equal(ok(s.addPoints("a", [9])).frame.forecast.length, 2);
});

Deno.test("session: fewer than 3 points give a naive frame without an interval", () => {
  const s = new SeriesSessions();
  ok(s.open("a", { horizon: 4 }));
  const frame = ok(s.addPoints("a", [7.5])).frame;
  assert.equal(frame.type, "forecast");
  assert.equal(frame.method, NAIVE_METHOD);
  assert.equal(frame.n, 1);
  assert.deepEqual(frame.forecast, [7.5, 7.5, 7.5, 7.5]);
  assert.deepEqual(frame.lower, []);
  assert.deepEqual(frame.upper, []);
  assert.equal(frame.level, 0.95);
  assert.ok(frame.elapsedMs >= 0);
});

Deno.test("session: short series refit inline and match a fit from scratch", () => {
  const s = new SeriesSessions();
  ok(s.open("a", { horizon: 5, level: 0.9 }));
  const y = walk(300);
  let frame;
  for (let i = 0; i < y.length; i += 7) {
    const result = ok(s.addPoints("a", y.slice(i, i + 7)));
    assert.equal(result.refit, undefined);
    frame = result.frame;
  }
  assert.ok(frame);
  assert.equal(frame.method, HOLT_METHOD);
  assert.equal(frame.n, 300);
  // The model carries the parameters fitted at the last refit, moved forward
  // over the points since; the frame is exactly that model's forecast.
  const model = s.model("a");
  assert.ok(model);
  assert.deepEqual(model, replaySeries(y, 300, model.alpha, model.beta));
  const expected = forecastHolt(model, 5, 0.9);
  assert.deepEqual(frame.forecast, expected.forecast);
  assert.deepEqual(frame.lower, expected.lower);
  assert.deepEqual(frame.upper, expected.upper);
  // The last refit happened within refitInterval points of the end.
  const fittedAt = [...Array(301).keys()].filter((n) => n >= 3).reverse().find(
    (n) => {
      const fit = fitHolt(y.slice(0, n));
      return fit.alpha === model.alpha && fit.beta === model.beta;
    },
  );
  assert.ok(
    fittedAt !== undefined && 300 - fittedAt < refitInterval(fittedAt) + 7,
  );
});

Deno.test("session: long series hand out one refit job at a time and apply it with replay", () => {
  const s = new SeriesSessions({ inlineRefitMaxPoints: 100 });
  ok(s.open("a"));
  const y = walk(1000, 3);
  ok(s.addPoints("a", y.slice(0, 100)));
  const jobs = [];
  let n = 100;
  while (jobs.length === 0) {
    const result = ok(s.addPoints("a", [y[n]]));
    n++;
    if (result.refit) jobs.push(result.refit);
  }
  const job = jobs[0];
  assert.equal(job.id, "a");
  assert.equal(job.series.length, n);
  assert.deepEqual(Array.from(job.series), y.slice(0, n));
  // While it is in flight no second job is handed out.
  for (let i = 0; i < 50; i++, n++) {
    assert.equal(ok(s.addPoints("a", [y[n]])).refit, undefined);
  }
  // The Worker's side: a structured clone of the job, then the pure function.
  const result = runRefitJob(structuredClone(job));
  assert.equal(result.n, job.series.length);
  assert.ok(s.applyRefit(result));
  const model = s.model("a");
  assert.ok(model);
  const fresh = fitHolt(y.slice(0, job.series.length));
  assert.equal(model.alpha, fresh.alpha);
  assert.equal(model.beta, fresh.beta);
  assert.deepEqual(model, smoothHolt(y.slice(0, n), fresh.alpha, fresh.beta));
  // Applying the same result twice is refused.
  assert.equal(s.applyRefit(result), false);
});

Deno.test("session: refits for closed or reopened series are dropped; abandonRefit re-arms", () => {
  const s = new SeriesSessions({ inlineRefitMaxPoints: 10 });
  ok(s.open("a"));
  ok(s.addPoints("a", walk(10)));
  let job;
  for (let i = 0; !job; i++) job = ok(s.addPoints("a", [100 + i])).refit;
  const result = runRefitJob(job);
  ok(s.open("a"));
  assert.equal(s.applyRefit(result), false);
  ok(s.close("a"));
  assert.equal(s.applyRefit(result), false);

  ok(s.open("b"));
  ok(s.addPoints("b", walk(10)));
  let first;
  for (let i = 0; !first; i++) first = ok(s.addPoints("b", [100 + i])).refit;
  assert.equal(s.abandonRefit("b", first.generation), true);
  assert.equal(s.abandonRefit("b", first.generation), false);
  let second;
  for (let i = 0; !second && i < 100; i++) {
    second = ok(s.addPoints("b", [90 + i])).refit;
  }
  assert.ok(second, "a new job after the failed one");
});

Deno.test("session: closeAll frees every series", () => {
  const s = new SeriesSessions();
  ok(s.open("a"));
  ok(s.open("b"));
  ok(s.addPoints("a", [1, 2, 3]));
  assert.deepEqual(ok(s.close("b")).frame, { type: "series_closed", id: "b" });
  assert.equal(s.closeAll(), 1);
  assert.equal(s.size, 0);
  assert.equal(s.has("a"), false);
});

Deno.test("session: frames stay JSON-safe when numbers overflow", () => {
  const s = new SeriesSessions();
  ok(s.open("a", { horizon: 2 }));
  const frame = ok(s.addPoints("a", [1e308, -1e308, 1e308, -1e308])).frame;
  assert.equal(frame.method, NAIVE_METHOD);
  assert.deepEqual(JSON.parse(JSON.stringify(frame)), frame);
});

Deno.test("refitInterval grows with the series and is capped", () => {
  assert.equal(refitInterval(0), 1);
  assert.equal(refitInterval(10), 1);
  assert.equal(refitInterval(25), 3);
  assert.equal(refitInterval(2000), 200);
  assert.equal(refitInterval(10_000), 500);
});
