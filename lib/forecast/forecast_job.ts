/**
 * The pure computations behind a `forecast` frame, shaped so that the server
 * can run the expensive one (a parameter refit over the whole series) in a
 * Worker: jobs and results are plain structured-clonable objects, and nothing
 * here touches Deno or the DOM.
 *
 * @module
 */

import type { ForecastFrame } from "../protocol.ts";
import {
  fitHolt,
  forecastHolt,
  type HoltModel,
  initialHoltModel,
  updateHolt,
} from "./holt.ts";

/** `method` of a frame computed with Holt's linear trend method. */
export const HOLT_METHOD = "holt";
/**
 * `method` of a frame with too few points (or numbers too large) for Holt:
 * the last value repeated, and empty `lower`/`upper` (no interval).
 */
export const NAIVE_METHOD = "naive";
/** Points needed before Holt's method (and its σ² = SSE/(n − 2)) is used. */
export const MIN_POINTS_FOR_HOLT = 3;

/** A parameter refit over a whole series: the part worth a Worker. */
export interface RefitJob {
  /** The series id (the client's). */
  id: string;
  /** Which opening of that id the job belongs to; stale results are dropped. */
  generation: number;
  /** The series so far (a copy; transferable). */
  series: Float64Array;
}

/** What a {@link RefitJob} produces: the model fitted on `series`. */
export interface RefitResult {
  id: string;
  generation: number;
  /** Number of points the model was fitted on (= the job's series length). */
  n: number;
  model: HoltModel;
}

/** Fits α and β on the job's series. Pure; O(n · ~250). */
export function runRefitJob(job: RefitJob): RefitResult {
  return {
    id: job.id,
    generation: job.generation,
    n: job.series.length,
    model: fitHolt(job.series),
  };
}

/** Absorbs `points` into `model` with its current α and β: O(points). */
export function absorbPoints(
  model: HoltModel,
  points: ArrayLike<number>,
  from = 0,
  to = points.length,
): HoltModel {
  let next = model;
  for (let i = from; i < to; i++) next = updateHolt(next, points[i]);
  return next;
}

/** Replays a whole series with fixed α and β from the simple initial state. */
export function replaySeries(
  series: ArrayLike<number>,
  length: number,
  alpha: number,
  beta: number,
): HoltModel {
  return absorbPoints(
    initialHoltModel(series[0], series[1], alpha, beta),
    series,
    0,
    length,
  );
}

/** Everything a forecast frame needs besides the model. */
export interface FrameInput {
  id: string;
  /** Points seen. */
  n: number;
  /** The last point, for the naive fallback. */
  last: number;
  horizon: number;
  level: number;
  elapsedMs: number;
}

/**
 * Builds the `forecast` frame from a model, or the naive frame when there is
 * no model yet or the model's numbers are no longer finite.
 */
export function forecastFrame(
  model: HoltModel | null,
  input: FrameInput,
): ForecastFrame {
  const base = {
    type: "forecast" as const,
    id: input.id,
    n: input.n,
    level: input.level,
    elapsedMs: input.elapsedMs,
  };
  if (model !== null) {
    const result = forecastHolt(model, input.horizon, input.level);
    const finite = [result.forecast, result.lower, result.upper].every((xs) =>
      xs.every(Number.isFinite)
    );
    if (finite) return { ...base, method: HOLT_METHOD, ...result };
  }
  return {
    ...base,
    method: NAIVE_METHOD,
    forecast: Array.from({ length: input.horizon }, () => input.last),
    lower: [],
    upper: [],
  };
}
