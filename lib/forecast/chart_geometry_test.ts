import assert from "node:assert/strict";
import {
  bandPath,
  computeChart,
  decimalsFor,
  describeChart,
  formatTick,
  linearScale,
  linePath,
  niceStep,
  niceTicks,
} from "./chart_geometry.ts";

Deno.test("linearScale maps ends to ends, inverts for y, centres a flat domain", () => {
  const x = linearScale([10, 20], [0, 100]);
  assert.equal(x(10), 0);
  assert.equal(x(15), 50);
  assert.equal(x(20), 100);
  const y = linearScale([0, 1], [200, 0]);
  assert.equal(y(0), 200);
  assert.equal(y(0.25), 150);
  assert.equal(linearScale([5, 5], [0, 10])(123), 5);
});

Deno.test("niceStep picks 1, 2 or 5 times a power of ten", () => {
  assert.equal(niceStep(10, 5), 2);
  assert.equal(niceStep(100, 5), 20);
  assert.equal(niceStep(7, 5), 2);
  assert.equal(niceStep(0.3, 5), 0.1);
  assert.equal(niceStep(33, 5), 10);
  assert.equal(niceStep(0, 5), 1);
});

Deno.test("niceTicks covers the range with clean values", () => {
  assert.deepEqual(niceTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(97.3, 103.1, 5), [96, 98, 100, 102, 104]);
  assert.deepEqual(niceTicks(0.11, 0.37, 5), [0.1, 0.2, 0.3, 0.4]);
  assert.deepEqual(niceTicks(-3, 3, 4), [-4, -2, 0, 2, 4]);
  const flat = niceTicks(50, 50, 5);
  assert.ok(flat[0] < 50 && flat[flat.length - 1] > 50);
  assert.deepEqual(niceTicks(NaN, 1), []);
});

Deno.test("formatTick uses the step's decimals and never prints -0", () => {
  assert.equal(decimalsFor(2), 0);
  assert.equal(decimalsFor(0.5), 1);
  assert.equal(decimalsFor(0.25), 2);
  assert.equal(decimalsFor(0.01), 2);
  assert.equal(formatTick(0.30000000000000004, 0.1), "0.3");
  assert.equal(formatTick(100, 20), "100");
  assert.equal(formatTick(-0.0000001, 0.1), "0.0");
});

Deno.test("linePath and bandPath build the expected SVG path strings", () => {
  assert.equal(linePath([0, 1.006, 2], [5, 6.333, 7]), "M0 5L1.01 6.33L2 7");
  assert.equal(linePath([], []), "");
  assert.equal(
    bandPath([0, 10], [4, 3], [6, 9]),
    "M0 6L10 9L10 3L0 4Z",
  );
  assert.equal(bandPath([0], [], []), "");
});

Deno.test("computeChart places history, forecast and band inside the plot", () => {
  const geometry = computeChart({
    history: [100, 101, 102, 101, 103],
    firstIndex: 11,
    forecast: [104, 105],
    lower: [102, 101],
    upper: [106, 109],
    width: 400,
    height: 200,
    margins: { top: 10, right: 10, bottom: 30, left: 50 },
  });
  assert.deepEqual(geometry.plot, { x: 50, y: 10, width: 340, height: 160 });
  // x spans points 11..17 (5 history + 2 forecast): 6 intervals of 340/6.
  assert.ok(geometry.historyPath.startsWith("M50 "));
  const forecastEnd = geometry.forecastPath.split("L").pop()!;
  assert.equal(forecastEnd.split(" ")[0], "390");
  // The forecast starts where the history ends.
  const historyEnd = geometry.historyPath.split("L").pop()!;
  assert.equal(geometry.forecastPath.slice(1).split("L")[0], historyEnd);
  assert.ok(geometry.bandPath.endsWith("Z"));
  // y ticks are nice, cover 100..109 and lie within the plot's vertical extent.
  const values = geometry.yTicks.map((t) => t.value);
  assert.ok(values[0] <= 100 && values[values.length - 1] >= 109);
  for (const tick of geometry.yTicks) {
    assert.ok(tick.position >= 10 - 1e-9 && tick.position <= 170 + 1e-9);
  }
  // x ticks label point numbers within 11..17.
  for (const tick of geometry.xTicks) {
    assert.ok(tick.value >= 11 && tick.value <= 17);
    assert.equal(tick.label, String(tick.value));
  }
  assert.ok(geometry.last);
  assert.equal(geometry.last.x, 50 + 340 * 4 / 6);
});

Deno.test("computeChart handles empty input and a missing interval", () => {
  const empty = computeChart({
    history: [],
    firstIndex: 1,
    forecast: [],
    lower: [],
    upper: [],
    width: 300,
    height: 150,
  });
  assert.equal(empty.historyPath, "");
  assert.equal(empty.last, undefined);
  const naive = computeChart({
    history: [5],
    firstIndex: 1,
    forecast: [5, 5],
    lower: [],
    upper: [],
    width: 300,
    height: 150,
  });
  assert.equal(naive.bandPath, "");
  assert.notEqual(naive.forecastPath, "");
});

Deno.test("describeChart summarises the series, forecast and interval", () => {
  assert.match(
    describeChart({ n: 0, forecast: [], lower: [], upper: [], level: 0.95 }),
    /No points yet/,
  );
  assert.equal(
    describeChart({
      n: 120,
      last: 101.234,
      forecast: [101.5, 102, 102.75],
      lower: [99, 98, 97.5],
      upper: [104, 106, 108],
      level: 0.95,
    }),
    "120 points; the last is 101.23. Forecast for the next 3 steps: 101.5 then 102.75 at step 3. 95% interval at step 3: 97.5 to 108.",
  );
  assert.match(
    describeChart({
      n: 1,
      last: 5,
      forecast: [5],
      lower: [],
      upper: [],
      level: 0.8,
    }),
    /^1 point; .*No interval yet/,
  );
});
