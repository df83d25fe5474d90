import assert from "node:assert/strict";
import {
  median,
  mergedQuantile,
  quantile,
  round,
  Samples,
  sketch,
  summarize,
} from "./stats.ts";

Deno.test("quantile uses nearest rank", () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(quantile(values, 0.5), 50);
  assert.equal(quantile(values, 0.99), 99);
  assert.equal(quantile(values, 1), 100);
  assert.equal(quantile([7], 0.99), 7);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});

Deno.test("median averages the middle pair of an even count", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

Deno.test("summarize sorts numerically, not as strings", () => {
  const summary = summarize([10, 9, 100, 1, 2]);
  assert.deepEqual(summary, { count: 5, p50: 9, p99: 100, max: 100 });
  assert.equal(round(1.23456, 2), 1.23);
});

Deno.test("Samples grows past its first capacity", () => {
  const samples = new Samples(16);
  for (let i = 0; i < 1000; i++) samples.push(i);
  assert.equal(samples.length, 1000);
  assert.equal(samples.view()[999], 999);
  assert.equal(median(samples.view()), 499.5);
});

Deno.test("merged sketches give the quantiles of the union", () => {
  const a = Array.from({ length: 5000 }, (_, i) => i);
  const b = Array.from({ length: 5000 }, (_, i) => 5000 + i);
  const merged = mergedQuantile([sketch(a), sketch(b)], 0.99);
  assert.ok(Math.abs(merged - quantile([...a, ...b], 0.99)) <= 10);
  assert.ok(Math.abs(mergedQuantile([sketch(a), sketch(b)], 0.5) - 4999) <= 10);
  assert.ok(Number.isNaN(mergedQuantile([sketch([])], 0.5)));
});
