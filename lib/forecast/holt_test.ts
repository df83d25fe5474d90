import assert from "node:assert/strict";
import {
  fitHolt,
  forecastHolt,
  holtSse,
  holtVariance,
  initialHoltModel,
  smoothHolt,
  traceHolt,
  updateHolt,
} from "./holt.ts";
import { twoSidedZ } from "./normal_quantile.ts";

function near(actual: number, expected: number, decimals: number, what = "") {
  const tolerance = 0.5 * 10 ** -decimals;
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what} ${actual} is not ${expected} to ${decimals} decimals`,
  );
}

// (a) A tiny series worked by hand. y = [1, 3, 4, 8], α = β = 0.5.
// Start: ℓ0 = y1 = 1, b0 = y2 − y1 = 2.
// t=1 y=1: ŷ = 1 + 2 = 3,           e = −2
//          ℓ1 = .5·1 + .5·3 = 2,     b1 = .5·(2 − 1) + .5·2 = 1.5
// t=2 y=3: ŷ = 2 + 1.5 = 3.5,       e = −0.5
//          ℓ2 = .5·3 + .5·3.5 = 3.25, b2 = .5·(3.25 − 2) + .5·1.5 = 1.375
// t=3 y=4: ŷ = 3.25 + 1.375 = 4.625, e = −0.625
//          ℓ3 = .5·4 + .5·4.625 = 4.3125, b3 = .5·(4.3125 − 3.25) + .5·1.375 = 1.21875
// t=4 y=8: ŷ = 4.3125 + 1.21875 = 5.53125, e = 2.46875
//          ℓ4 = .5·8 + .5·5.53125 = 6.765625, b4 = .5·(6.765625 − 4.3125) + .5·1.21875 = 1.8359375
// SSE = 4 + 0.25 + 0.390625 + 6.0947265625 = 10.7353515625; σ² = SSE/(4 − 2) = 5.36767578125
// Forecasts ℓ4 + h·b4: 8.6015625, 10.4375, 12.2734375.
// Variance factors 1 + Σ_{j<h} α²(1 + jβ)²: h=1: 1; h=2: 1 + .25·1.5² = 1.5625;
// h=3: 1.5625 + .25·2² = 2.5625. All values are exact binary fractions.
Deno.test("holt: tiny series with fixed alpha and beta matches the hand arithmetic", () => {
  const y = [1, 3, 4, 8];
  const trace = traceHolt(y, 0.5, 0.5);
  assert.deepEqual(trace.level, [2, 3.25, 4.3125, 6.765625]);
  assert.deepEqual(trace.trend, [1.5, 1.375, 1.21875, 1.8359375]);
  assert.deepEqual(trace.fitted, [3, 3.5, 4.625, 5.53125, 8.6015625]);

  const model = smoothHolt(y, 0.5, 0.5);
  assert.equal(model.sse, 10.7353515625);
  assert.equal(model.sigma2, 5.36767578125);
  assert.equal(holtSse(y, 0.5, 0.5), 10.7353515625);

  const { forecast, lower, upper } = forecastHolt(model, 3, 0.95);
  assert.deepEqual(forecast, [8.6015625, 10.4375, 12.2734375]);
  const z = twoSidedZ(0.95);
  [1, 1.5625, 2.5625].forEach((factor, i) => {
    const half = z * Math.sqrt(5.36767578125 * factor);
    near(upper[i] - forecast[i], half, 12, `upper half-width h=${i + 1}`);
    near(forecast[i] - lower[i], half, 12, `lower half-width h=${i + 1}`);
  });
});

// (b) Worked example: Australian air passengers (annual, millions, 1990–2004),
// Holt's linear method with α = 0.8, β* = 0.2 and the simple initial values
// ℓ0 = y1, b0 = y2 − y1: Hyndman & Athanasopoulos, "Forecasting: Principles and
// Practice", 1st ed. (OTexts 2013), §7/2 Example 7.2, computed there with
// `holt(air, alpha = 0.8, beta = 0.2, initial = "simple", h = 5)` on fpp's
// `ausair` series.
//
// Numbers matched (the data and the printed values as reproduced in
// statsmodels' test suite, statsmodels/tsa/holtwinters/tests/test_holtwinters.py,
// `test_holt`, which checks that example with initialization_method =
// "legacy-heuristic", i.e. ℓ0 = y1, b0 = y2 − y1):
//   point forecasts 2005–2009: 43.76, 45.59, 47.43, 49.27, 51.10 (2 decimals);
//   trends b1..b15 and one-step forecasts ŷ(1|0)..ŷ(16|15) to 4 decimals.
// We could not open the book's Table 7.3 through our tools, so every figure
// here is as statsmodels prints it for that example; we did not check it
// against the book page itself.
const AUSAIR_1990_2004 = [
  17.5534,
  21.8601,
  23.8866,
  26.9293,
  26.8885,
  28.8314,
  30.0751,
  30.9535,
  30.1857,
  31.5797,
  32.577569,
  33.477398,
  39.021581,
  41.386432,
  41.596552,
];

Deno.test("holt: reproduces FPP Example 7.2 (air passengers, alpha 0.8, beta 0.2)", () => {
  const model = fitHolt(AUSAIR_1990_2004, { alpha: 0.8, beta: 0.2 });
  assert.equal(model.alpha, 0.8);
  assert.equal(model.beta, 0.2);
  const { forecast } = forecastHolt(model, 5, 0.95);
  const printed = [43.76, 45.59, 47.43, 49.27, 51.10];
  printed.forEach((value, i) =>
    near(forecast[i], value, 2, `forecast h=${i + 1}`)
  );

  const trace = traceHolt(AUSAIR_1990_2004, 0.8, 0.2);
  const trends = [
    3.617628,
    3.59006512,
    3.33438212,
    3.23657639,
    2.69263502,
    2.46388914,
    2.2229097,
    1.95959226,
    1.47054601,
    1.3604894,
    1.28045881,
    1.20355193,
    1.88267152,
    2.09564416,
    1.83655482,
  ];
  trends.forEach((value, i) => near(trace.trend[i], value, 4, `b${i + 1}`));
  const fitted = [
    21.8601,
    22.032368,
    25.48461872,
    27.54058587,
    30.28813356,
    30.26106173,
    31.58122149,
    32.599234,
    33.24223906,
    32.26755382,
    33.07776017,
    33.95806605,
    34.77708354,
    40.05535303,
    43.21586036,
    43.75696849,
  ];
  fitted.forEach((value, i) => near(trace.fitted[i], value, 4, `ŷ${i + 1}`));
});

// (c) Properties.
function noisyTrend(n: number, seed: number): number[] {
  // A small deterministic LCG, so the test data never changes.
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const y: number[] = [];
  let level = 100;
  let slope = 0.5;
  for (let t = 0; t < n; t++) {
    slope += (uniform() - 0.5) * 0.2;
    level += slope;
    y.push(level + (uniform() - 0.5) * 6);
  }
  return y;
}

Deno.test("holt: fitted parameters minimise SSE (no better neighbour, no better grid point)", () => {
  for (const seed of [1, 7, 42]) {
    const y = noisyTrend(200, seed);
    const model = fitHolt(y);
    const best = holtSse(y, model.alpha, model.beta);
    assert.equal(model.sse, best);
    for (const delta of [1e-2, 1e-3]) {
      for (
        const [da, db] of [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [-1, -1], [
          1,
          -1,
        ], [-1, 1]]
      ) {
        const a = model.alpha + da * delta;
        const b = model.beta + db * delta;
        if (a < 0 || a > 1 || b < 0 || b > 1) continue;
        assert.ok(
          holtSse(y, a, b) >= best * (1 - 1e-12),
          `seed ${seed}: (${a}, ${b}) beats the fit (${model.alpha}, ${model.beta})`,
        );
      }
    }
    for (let i = 0; i <= 20; i++) {
      for (let j = 0; j <= 20; j++) {
        assert.ok(holtSse(y, i / 20, j / 20) >= best * (1 - 1e-12));
      }
    }
  }
});

Deno.test("holt: fitting is deterministic", () => {
  const y = noisyTrend(300, 3);
  assert.deepEqual(fitHolt(y), fitHolt(y.slice()));
});

Deno.test("holt: intervals widen with the horizon and with the level", () => {
  const model = fitHolt(noisyTrend(150, 9));
  const at95 = forecastHolt(model, 20, 0.95);
  const at80 = forecastHolt(model, 20, 0.8);
  for (let h = 0; h < 20; h++) {
    const width = at95.upper[h] - at95.lower[h];
    assert.ok(width > 0);
    if (h > 0) assert.ok(width > at95.upper[h - 1] - at95.lower[h - 1]);
    assert.ok(width > at80.upper[h] - at80.lower[h]);
    near(at95.upper[h] + at95.lower[h], 2 * at95.forecast[h], 9, "symmetry");
  }
});

Deno.test("holt: closed-form variance equals the sum formula", () => {
  for (const [alpha, beta] of [[0.3, 0.1], [0.9, 0.7], [1, 1], [0.05, 0]]) {
    let sum = 1;
    for (let h = 1; h <= 50; h++) {
      if (h > 1) sum += alpha * alpha * (1 + (h - 1) * beta) ** 2;
      near(holtVariance(2, alpha, beta, h), 2 * sum, 9, `h=${h}`);
    }
  }
});

Deno.test("holt: a constant series forecasts the constant with a zero-width interval", () => {
  const y = Array.from({ length: 30 }, () => 42.5);
  const model = fitHolt(y);
  const { forecast, lower, upper } = forecastHolt(model, 5, 0.95);
  assert.deepEqual(forecast, [42.5, 42.5, 42.5, 42.5, 42.5]);
  assert.deepEqual(lower, forecast);
  assert.deepEqual(upper, forecast);
  assert.equal(model.sse, 0);
});

Deno.test("holt: a linear series forecasts the line", () => {
  const y = Array.from({ length: 40 }, (_, t) => 3 + 2.5 * t);
  const model = fitHolt(y);
  const { forecast } = forecastHolt(model, 10, 0.95);
  forecast.forEach((value, i) =>
    near(value, 3 + 2.5 * (40 + i), 9, `h=${i + 1}`)
  );
});

Deno.test("holt: updateHolt point by point equals smoothHolt over the series", () => {
  const y = noisyTrend(500, 5);
  const fitted = fitHolt(y);
  let model = initialHoltModel(y[0], y[1], fitted.alpha, fitted.beta);
  for (const value of y) model = updateHolt(model, value);
  assert.deepEqual(model, fitted);
});

Deno.test("holt: bad input is refused with a RangeError", () => {
  assert.throws(() => fitHolt([1]), RangeError);
  assert.throws(() => smoothHolt([1, 2, 3], 1.5, 0.1), RangeError);
  assert.throws(() => fitHolt([1, 2, 3], { beta: -0.1 }), RangeError);
  const model = fitHolt([1, 2, 3, 5]);
  assert.throws(() => forecastHolt(model, 0, 0.95), RangeError);
  assert.throws(() => forecastHolt(model, 2.5, 0.95), RangeError);
  assert.throws(() => forecastHolt(model, 3, 1), RangeError);
});
