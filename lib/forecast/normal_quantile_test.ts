import assert from "node:assert/strict";
import { normalQuantile, twoSidedZ } from "./normal_quantile.ts";

// Reference quantiles of the standard normal distribution (to 15 significant
// digits, as tabulated e.g. by R's qnorm): Acklam's stated relative error is
// below 1.15e-9.
const REFERENCE: Array<[number, number]> = [
  [0.5, 0],
  [0.975, 1.959963984540054],
  [0.95, 1.644853626951472],
  [0.9, 1.281551565544601],
  [0.995, 2.575829303548901],
  [0.001, -3.090232306167813],
  [1e-10, -6.361340902404056],
];

Deno.test("normalQuantile matches reference quantiles to 1e-9 relative", () => {
  for (const [p, z] of REFERENCE) {
    const got = normalQuantile(p);
    assert.ok(
      Math.abs(got - z) <= 1.2e-9 * Math.max(1, Math.abs(z)),
      `p=${p}: got ${got}, want ${z}`,
    );
  }
});

Deno.test("normalQuantile is odd around 0.5 and increasing, across region joins", () => {
  let previous = -Infinity;
  for (let i = 1; i < 1000; i++) {
    const p = i / 1000;
    const z = normalQuantile(p);
    assert.ok(z > previous, `not increasing at p=${p}`);
    assert.ok(Math.abs(z + normalQuantile(1 - p)) < 1e-12);
    previous = z;
  }
});

Deno.test("normalQuantile and twoSidedZ reject values outside (0, 1)", () => {
  for (const bad of [0, 1, -0.1, 1.5, NaN]) {
    assert.throws(() => normalQuantile(bad), RangeError);
    assert.throws(() => twoSidedZ(bad), RangeError);
  }
  // Within Acklam's 1.15e-9 relative error of the exact 1.959963984540054.
  assert.ok(Math.abs(twoSidedZ(0.95) - 1.959963984540054) < 2.3e-9);
});
