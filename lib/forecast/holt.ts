/**
 * Holt's linear trend method (double exponential smoothing) with parameters
 * fitted by least squares, point forecasts and approximate prediction
 * intervals.
 *
 * Method, as in R. J. Hyndman & G. Athanasopoulos, "Forecasting: Principles
 * and Practice" (FPP), 1st ed. (OTexts, 2013), section 7/2 "Holt's linear
 * trend method" (the same equations are in section 7.2 of the 2nd edition):
 *
 *   forecast  ŷ(t+h | t) = ℓ(t) + h·b(t)
 *   level     ℓ(t) = α·y(t) + (1 − α)·(ℓ(t−1) + b(t−1))
 *   trend     b(t) = β·(ℓ(t) − ℓ(t−1)) + (1 − β)·b(t−1)
 *
 * with 0 ≤ α, β ≤ 1 (FPP writes the trend parameter β*).
 *
 * Initialisation: FPP's "simple" initial values ℓ(0) = y(1), b(0) = y(2) − y(1)
 * (FPP 1st ed. §7/2, used there through `holt(..., initial = "simple")`). The
 * recursion then runs over every observation y(1)..y(n), so there are n
 * one-step errors e(t) = y(t) − (ℓ(t−1) + b(t−1)); the first one is always
 * y(1) − y(2) whatever α and β are.
 *
 * Fitting: α and β minimise SSE = Σ e(t)² over [0, 1]², by an 11 × 11 grid
 * followed by Nelder–Mead from the best grid point, with every trial point
 * clamped into the box. Everything is deterministic: same series, same model.
 *
 * Intervals: the ETS(A,A,N) forecast variance from FPP's table of forecast
 * variances for the additive state space models (2nd ed. §7.7, Table 7.8):
 *
 *   σ²(h) = σ²·[1 + Σ_{j=1}^{h−1} α²(1 + jβ)²]
 *         = σ²·[1 + (h − 1)(α² + αβ'h + β'²h(2h − 1)/6)],  β' = αβ,
 *
 * with σ² = SSE / (n − 2) (n one-step errors, two fitted parameters), and the
 * interval ŷ ± z·σ(h) with z from {@link twoSidedZ} (Acklam's algorithm).
 *
 * Browser-safe: no Deno APIs, so islands and Workers can import it.
 *
 * @module
 */

import { twoSidedZ } from "./normal_quantile.ts";

/** A fitted Holt model: parameters and the state after the last observation. */
export interface HoltModel {
  /** Level smoothing parameter, 0 ≤ α ≤ 1. */
  readonly alpha: number;
  /** Trend smoothing parameter (FPP's β*), 0 ≤ β ≤ 1. */
  readonly beta: number;
  /** Level ℓ(n) after the last observation. */
  readonly level: number;
  /** Trend b(n) after the last observation. */
  readonly trend: number;
  /** Sum of squared one-step errors over all n observations. */
  readonly sse: number;
  /** Residual variance estimate SSE / (n − 2); 0 when n ≤ 2. */
  readonly sigma2: number;
  /** Number of observations the state has absorbed. */
  readonly n: number;
}

/** Options for {@link fitHolt}. */
export interface FitHoltOptions {
  /** Fix α instead of estimating it. */
  alpha?: number;
  /** Fix β instead of estimating it. */
  beta?: number;
}

/** Point forecasts with a central prediction interval. */
export interface HoltForecast {
  forecast: number[];
  lower: number[];
  upper: number[];
}

/** Per-step states, for inspection and tests. */
export interface HoltTrace {
  /** ℓ(1)..ℓ(n). */
  level: number[];
  /** b(1)..b(n). */
  trend: number[];
  /** One-step forecasts ŷ(1|0)..ŷ(n+1|n): n + 1 values. */
  fitted: number[];
}

/** The fewest observations Holt's method can start from (b(0) needs two). */
export const HOLT_MIN_POINTS = 2;

const GRID_STEPS = 10;
const NM_MAX_ITERATIONS = 200;
const NM_X_TOLERANCE = 1e-7;
const NM_F_TOLERANCE = 1e-12;

function assertParameter(name: string, value: number): void {
  if (!(value >= 0 && value <= 1)) {
    throw new RangeError(`${name} must be in [0, 1], got ${value}`);
  }
}

function assertSeries(y: ArrayLike<number>): void {
  if (y.length < HOLT_MIN_POINTS) {
    throw new RangeError(
      `Holt's method needs at least ${HOLT_MIN_POINTS} points, got ${y.length}`,
    );
  }
}

function sigma2Of(sse: number, n: number): number {
  return n > 2 ? sse / (n - 2) : 0;
}

/**
 * The one-step sum of squared errors for fixed α and β: the objective that
 * {@link fitHolt} minimises. O(n), no allocation.
 */
export function holtSse(
  y: ArrayLike<number>,
  alpha: number,
  beta: number,
): number {
  assertSeries(y);
  let level = y[0];
  let trend = y[1] - y[0];
  let sse = 0;
  const keep = 1 - alpha;
  const keepTrend = 1 - beta;
  for (let t = 0; t < y.length; t++) {
    const predicted = level + trend;
    const error = y[t] - predicted;
    sse += error * error;
    const next = alpha * y[t] + keep * predicted;
    trend = beta * (next - level) + keepTrend * trend;
    level = next;
  }
  return sse;
}

/** Runs the recursion with fixed α and β and returns the final state. */
export function smoothHolt(
  y: ArrayLike<number>,
  alpha: number,
  beta: number,
): HoltModel {
  assertSeries(y);
  assertParameter("alpha", alpha);
  assertParameter("beta", beta);
  let model: HoltModel = initialHoltModel(y[0], y[1], alpha, beta);
  for (let t = 0; t < y.length; t++) model = updateHolt(model, y[t]);
  return model;
}

/**
 * The state before any observation: ℓ(0) = y1, b(0) = y2 − y1, n = 0.
 * Feed it y1, y2, ... with {@link updateHolt}.
 */
export function initialHoltModel(
  y1: number,
  y2: number,
  alpha: number,
  beta: number,
): HoltModel {
  return {
    alpha,
    beta,
    level: y1,
    trend: y2 - y1,
    sse: 0,
    sigma2: 0,
    n: 0,
  };
}

/**
 * Absorbs one observation with the model's α and β: O(1). Applying it to
 * every point of a series gives exactly {@link smoothHolt}'s result.
 */
export function updateHolt(model: HoltModel, y: number): HoltModel {
  const { alpha, beta, level, trend } = model;
  const predicted = level + trend;
  const error = y - predicted;
  const nextLevel = alpha * y + (1 - alpha) * predicted;
  const nextTrend = beta * (nextLevel - level) + (1 - beta) * trend;
  const sse = model.sse + error * error;
  const n = model.n + 1;
  return {
    alpha,
    beta,
    level: nextLevel,
    trend: nextTrend,
    sse,
    sigma2: sigma2Of(sse, n),
    n,
  };
}

/** Levels, trends and one-step forecasts at every step, for fixed α and β. */
export function traceHolt(
  y: ArrayLike<number>,
  alpha: number,
  beta: number,
): HoltTrace {
  assertSeries(y);
  let model = initialHoltModel(y[0], y[1], alpha, beta);
  const trace: HoltTrace = { level: [], trend: [], fitted: [] };
  for (let t = 0; t < y.length; t++) {
    trace.fitted.push(model.level + model.trend);
    model = updateHolt(model, y[t]);
    trace.level.push(model.level);
    trace.trend.push(model.trend);
  }
  trace.fitted.push(model.level + model.trend);
  return trace;
}

type Point = [number, number];

function clampInto(x: Point, lo: Point, hi: Point): Point {
  return [
    Math.min(hi[0], Math.max(lo[0], x[0])),
    Math.min(hi[1], Math.max(lo[1], x[1])),
  ];
}

/**
 * Nelder–Mead (reflection 1, expansion 2, contraction ½, shrink ½) in two
 * dimensions with every trial point clamped into the box [lo, hi].
 */
function nelderMead(
  f: (x: Point) => number,
  start: Point,
  lo: Point,
  hi: Point,
): { x: Point; fx: number } {
  const step = 0.05;
  const vertex = (dim: 0 | 1): Point => {
    const x: Point = [start[0], start[1]];
    x[dim] = x[dim] + step <= hi[dim] ? x[dim] + step : x[dim] - step;
    return clampInto(x, lo, hi);
  };
  const simplex: Point[] = [start, vertex(0), vertex(1)];
  const values = simplex.map(f);
  const evaluate = (x: Point) => {
    const clamped = clampInto(x, lo, hi);
    return { x: clamped, fx: f(clamped) };
  };
  for (let iteration = 0; iteration < NM_MAX_ITERATIONS; iteration++) {
    // Order best → worst; ties keep their earlier position, so runs repeat.
    const order = [0, 1, 2].sort((a, b) => values[a] - values[b] || a - b);
    const [best, middle, worst] = order.map((i) => simplex[i]);
    const [fBest, fMiddle, fWorst] = order.map((i) => values[i]);
    simplex.splice(0, 3, best, middle, worst);
    values.splice(0, 3, fBest, fMiddle, fWorst);

    const size = Math.max(
      Math.abs(middle[0] - best[0]) + Math.abs(middle[1] - best[1]),
      Math.abs(worst[0] - best[0]) + Math.abs(worst[1] - best[1]),
    );
    if (
      size <= NM_X_TOLERANCE &&
      fWorst - fBest <= NM_F_TOLERANCE * (Math.abs(fBest) + 1e-300)
    ) break;
    if (size <= NM_X_TOLERANCE * 1e-3) break;

    const centroid: Point = [
      (best[0] + middle[0]) / 2,
      (best[1] + middle[1]) / 2,
    ];
    const along = (t: number): Point => [
      centroid[0] + t * (worst[0] - centroid[0]),
      centroid[1] + t * (worst[1] - centroid[1]),
    ];
    const reflected = evaluate(along(-1));
    if (reflected.fx < fBest) {
      const expanded = evaluate(along(-2));
      const chosen = expanded.fx < reflected.fx ? expanded : reflected;
      simplex[2] = chosen.x;
      values[2] = chosen.fx;
      continue;
    }
    if (reflected.fx < fMiddle) {
      simplex[2] = reflected.x;
      values[2] = reflected.fx;
      continue;
    }
    const contracted = reflected.fx < fWorst
      ? evaluate(along(-0.5))
      : evaluate(along(0.5));
    if (contracted.fx < Math.min(reflected.fx, fWorst)) {
      simplex[2] = contracted.x;
      values[2] = contracted.fx;
      continue;
    }
    for (const i of [1, 2]) {
      const shrunk = evaluate([
        best[0] + 0.5 * (simplex[i][0] - best[0]),
        best[1] + 0.5 * (simplex[i][1] - best[1]),
      ]);
      simplex[i] = shrunk.x;
      values[i] = shrunk.fx;
    }
  }
  let bestIndex = 0;
  for (let i = 1; i < 3; i++) if (values[i] < values[bestIndex]) bestIndex = i;
  return { x: simplex[bestIndex], fx: values[bestIndex] };
}

/**
 * Fits α and β by minimising the one-step SSE over [0, 1]² (an 11 × 11 grid,
 * then Nelder–Mead from the best grid point) and returns the model's state
 * after the last observation. O(n) per trial, about 250 trials.
 *
 * @throws RangeError for fewer than {@link HOLT_MIN_POINTS} points or a fixed
 * parameter outside [0, 1].
 */
export function fitHolt(
  y: ArrayLike<number>,
  options: FitHoltOptions = {},
): HoltModel {
  assertSeries(y);
  if (options.alpha !== undefined) assertParameter("alpha", options.alpha);
  if (options.beta !== undefined) assertParameter("beta", options.beta);
  const lo: Point = [options.alpha ?? 0, options.beta ?? 0];
  const hi: Point = [options.alpha ?? 1, options.beta ?? 1];
  if (lo[0] === hi[0] && lo[1] === hi[1]) return smoothHolt(y, lo[0], lo[1]);

  const sse = (x: Point) => holtSse(y, x[0], x[1]);
  let best: Point = [lo[0], lo[1]];
  let bestValue = Infinity;
  const alphas = lo[0] === hi[0] ? [lo[0]] : gridValues();
  const betas = lo[1] === hi[1] ? [lo[1]] : gridValues();
  for (const alpha of alphas) {
    for (const beta of betas) {
      const value = sse([alpha, beta]);
      if (value < bestValue) {
        bestValue = value;
        best = [alpha, beta];
      }
    }
  }
  const refined = nelderMead(sse, best, lo, hi);
  const [alpha, beta] = refined.fx < bestValue ? refined.x : best;
  return smoothHolt(y, alpha, beta);
}

function gridValues(): number[] {
  return Array.from({ length: GRID_STEPS + 1 }, (_, i) => i / GRID_STEPS);
}

/**
 * The h-step forecast variance σ²·[1 + (h − 1)(α² + αβ'h + β'²h(2h − 1)/6)]
 * with β' = αβ (closed form of σ²·[1 + Σ_{j=1}^{h−1} α²(1 + jβ)²]).
 */
export function holtVariance(
  sigma2: number,
  alpha: number,
  beta: number,
  h: number,
): number {
  const b = alpha * beta;
  return sigma2 *
    (1 + (h - 1) * (alpha * alpha + alpha * b * h +
          b * b * h * (2 * h - 1) / 6));
}

/**
 * Forecasts 1..horizon steps ahead with a central interval at `level`
 * (e.g. 0.95).
 *
 * @throws RangeError for a horizon that is not a positive integer or a level
 * outside (0, 1).
 */
export function forecastHolt(
  model: HoltModel,
  horizon: number,
  level: number,
): HoltForecast {
  if (!Number.isInteger(horizon) || horizon < 1) {
    throw new RangeError(`horizon must be a positive integer, got ${horizon}`);
  }
  const z = twoSidedZ(level);
  const result: HoltForecast = { forecast: [], lower: [], upper: [] };
  for (let h = 1; h <= horizon; h++) {
    const mean = model.level + h * model.trend;
    const half = z *
      Math.sqrt(holtVariance(model.sigma2, model.alpha, model.beta, h));
    result.forecast.push(mean);
    result.lower.push(mean - half);
    result.upper.push(mean + half);
  }
  return result;
}
