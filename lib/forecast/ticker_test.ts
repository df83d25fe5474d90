import assert from "node:assert/strict";
import { createTicker, nextUniform, tickerStep, tickerTake } from "./ticker.ts";

Deno.test("ticker: the same seed gives the same prices; another seed differs", () => {
  const [a] = tickerTake(createTicker({ seed: 42 }), 200);
  const [b] = tickerTake(createTicker({ seed: 42 }), 200);
  const [c] = tickerTake(createTicker({ seed: 43 }), 200);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

Deno.test("ticker: stepping is pure and resumable from any state", () => {
  const start = createTicker({ seed: 7 });
  const [first, middle] = tickerTake(start, 50);
  const [second] = tickerTake(middle, 50);
  const [all] = tickerTake(start, 100);
  assert.deepEqual([...first, ...second], all);
  assert.deepEqual(tickerStep(start), tickerStep(start));
  assert.deepEqual(structuredClone(middle), middle);
});

Deno.test("ticker: prices are positive cents, and log-returns show the drift and volatility", () => {
  const drift = 0.001;
  const volatility = 0.02;
  const [prices] = tickerTake(
    createTicker({ seed: 1, start: 50, drift, volatility }),
    20_000,
  );
  for (const price of prices) {
    assert.ok(price > 0 && Number.isFinite(price));
    assert.equal(Math.round(price * 100) / 100, price);
  }
  // Unrounded statistics would be exact in expectation; rounding to cents is
  // negligible at these price levels. Tolerances are ~5 standard errors.
  const returns = prices.slice(1).map((p, i) => Math.log(p / prices[i]));
  const mean = returns.reduce((s, r) => s + r, 0) / returns.length;
  const sd = Math.sqrt(
    returns.reduce((s, r) => s + (r - mean) ** 2, 0) / (returns.length - 1),
  );
  assert.ok(
    Math.abs(mean - (drift - volatility ** 2 / 2)) <
      5 * volatility / Math.sqrt(returns.length),
  );
  assert.ok(Math.abs(sd - volatility) < 0.05 * volatility);
});

Deno.test("ticker: uniforms lie in [0, 1) and the start must be positive", () => {
  let state = 0;
  for (let i = 0; i < 10_000; i++) {
    let u: number;
    [state, u] = nextUniform(state);
    assert.ok(u >= 0 && u < 1);
  }
  assert.throws(() => createTicker({ seed: 1, start: 0 }), RangeError);
  assert.throws(() => createTicker({ seed: 1, start: NaN }), RangeError);
});
