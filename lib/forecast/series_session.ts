/**
 * Per-connection state for the `series_*` frames: which series are open,
 * their points, and the Holt model that tracks each one.
 *
 * Every call is synchronous and answers with the frame to send (or an error
 * with its protocol code), so the server needs no bookkeeping of its own:
 *
 * - {@link SeriesSessions.addPoints} appends a batch, moves the model forward
 *   by the new points with its current α and β (O(batch)) and returns the
 *   `forecast` frame for that batch at once, so frames leave in batch order.
 * - Parameters are refitted on a schedule ({@link refitInterval}): inline while
 *   the series is short (cheap), otherwise `addPoints` also hands back a
 *   {@link RefitJob} for a Worker. Its result goes to
 *   {@link SeriesSessions.applyRefit}, which replays the points that arrived
 *   meanwhile with the new parameters. At most one refit per series is in
 *   flight; results for a closed or reopened series are ignored.
 *
 * @module
 */

import type {
  ErrorCode,
  ForecastFrame,
  SeriesClosedFrame,
  SeriesOpenedFrame,
} from "../protocol.ts";
import { fitHolt, type HoltModel } from "./holt.ts";
import {
  absorbPoints,
  forecastFrame,
  MIN_POINTS_FOR_HOLT,
  type RefitJob,
  type RefitResult,
} from "./forecast_job.ts";

/** Bounds for one connection's series. */
export interface SeriesLimits {
  /** Points one series may hold; more is `series_too_long`. */
  maxSeriesLength: number;
  /** Series one connection may have open at once. */
  maxOpenSeries: number;
  /** Up to this many points a refit runs inline; above it, a RefitJob is returned. */
  inlineRefitMaxPoints: number;
}

/** Defaults: 10,000 points, 16 series, inline refits up to 2,000 points (~1 ms). */
export const DEFAULT_SERIES_LIMITS: SeriesLimits = {
  maxSeriesLength: 10_000,
  maxOpenSeries: 16,
  inlineRefitMaxPoints: 2_000,
};

/** Default and bounds of `series_open`'s options (docs/protocol.md). */
export const SERIES_DEFAULTS = {
  horizon: 10,
  minHorizon: 1,
  maxHorizon: 50,
  level: 0.95,
  minLevel: 0.5,
  maxLevel: 0.99,
} as const;

/** A refused request, with the protocol error code and the series id. */
export interface SeriesError {
  ok: false;
  code: ErrorCode;
  message: string;
  id: string;
}

/** Outcome of {@link SeriesSessions.open}. */
export type OpenResult = { ok: true; frame: SeriesOpenedFrame } | SeriesError;
/** Outcome of {@link SeriesSessions.close}. */
export type CloseResult = { ok: true; frame: SeriesClosedFrame } | SeriesError;
/**
 * Outcome of {@link SeriesSessions.addPoints}: the frame to send now and,
 * when a refit is due on a long series, the job to run off the main thread.
 */
export type AddPointsResult =
  | { ok: true; frame: ForecastFrame; refit?: RefitJob }
  | SeriesError;

/**
 * Points to add before the next refit, given the count at the last fit:
 * a tenth of it, between 1 and 500. Refits are therefore every point while a
 * series is short and amortise to O(1) per point when it is long.
 */
export function refitInterval(fittedAt: number): number {
  return Math.min(500, Math.max(1, Math.ceil(fittedAt / 10)));
}

interface SeriesState {
  generation: number;
  horizon: number;
  level: number;
  values: Float64Array;
  length: number;
  model: HoltModel | null;
  fittedAt: number;
  refitInFlight: boolean;
}

let nextGeneration = 1;

function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** The open series of one connection. Create one per socket; call closeAll() on close. */
export class SeriesSessions {
  readonly limits: SeriesLimits;
  #series = new Map<string, SeriesState>();
  #now: () => number;

  constructor(
    limits: Partial<SeriesLimits> = {},
    now: () => number = () => performance.now(),
  ) {
    this.limits = { ...DEFAULT_SERIES_LIMITS, ...limits };
    this.#now = now;
  }

  /** Number of open series. */
  get size(): number {
    return this.#series.size;
  }

  /** Whether `id` is open. */
  has(id: string): boolean {
    return this.#series.has(id);
  }

  /**
   * Opens series `id`. Opening an id that is already open starts it afresh
   * (its points are dropped): `series_open` asks for a new series.
   */
  open(
    id: string,
    options: { horizon?: number; level?: number } = {},
  ): OpenResult {
    const horizon = options.horizon ?? SERIES_DEFAULTS.horizon;
    const level = options.level ?? SERIES_DEFAULTS.level;
    if (
      !Number.isInteger(horizon) || horizon < SERIES_DEFAULTS.minHorizon ||
      horizon > SERIES_DEFAULTS.maxHorizon
    ) {
      return this.#error(
        "invalid_field",
        `"horizon" must be an integer from ${SERIES_DEFAULTS.minHorizon} to ${SERIES_DEFAULTS.maxHorizon}`,
        id,
      );
    }
    if (
      !(level >= SERIES_DEFAULTS.minLevel && level <= SERIES_DEFAULTS.maxLevel)
    ) {
      return this.#error(
        "invalid_field",
        `"level" must be from ${SERIES_DEFAULTS.minLevel} to ${SERIES_DEFAULTS.maxLevel}`,
        id,
      );
    }
    if (
      !this.#series.has(id) && this.#series.size >= this.limits.maxOpenSeries
    ) {
      return this.#error(
        "invalid_field",
        `At most ${this.limits.maxOpenSeries} series may be open per connection; close one first`,
        id,
      );
    }
    this.#series.set(id, {
      generation: nextGeneration++,
      horizon,
      level,
      values: new Float64Array(64),
      length: 0,
      model: null,
      fittedAt: 0,
      refitInFlight: false,
    });
    return { ok: true, frame: { type: "series_opened", id, horizon, level } };
  }

  /**
   * Appends a batch to series `id` and returns its forecast frame. The batch
   * is all or nothing: one bad point (`bad_point`) or a batch that would pass
   * the length limit (`series_too_long`) leaves the series unchanged.
   */
  addPoints(id: string, points: readonly unknown[]): AddPointsResult {
    const state = this.#series.get(id);
    if (state === undefined) {
      return this.#error("unknown_series", `Series "${id}" is not open`, id);
    }
    if (!Array.isArray(points) || points.length === 0) {
      return this.#error(
        "invalid_field",
        '"points" must be a non-empty array',
        id,
      );
    }
    for (let i = 0; i < points.length; i++) {
      const point = points[i];
      if (typeof point !== "number" || !Number.isFinite(point)) {
        return this.#error(
          "bad_point",
          `Point ${i} is not a finite number: ${
            String(JSON.stringify(point)).slice(0, 40)
          }`,
          id,
        );
      }
    }
    if (state.length + points.length > this.limits.maxSeriesLength) {
      return this.#error(
        "series_too_long",
        `Series "${id}" would have ${
          state.length + points.length
        } points; the limit is ${this.limits.maxSeriesLength}`,
        id,
      );
    }

    const started = this.#now();
    const from = state.length;
    this.#append(state, points as readonly number[]);
    const n = state.length;
    let refit: RefitJob | undefined;
    if (n >= MIN_POINTS_FOR_HOLT) {
      const due = state.model === null ||
        n - state.fittedAt >= refitInterval(state.fittedAt);
      if (
        state.model === null ||
        (due && n <= this.limits.inlineRefitMaxPoints)
      ) {
        state.model = fitHolt(state.values.subarray(0, n));
        state.fittedAt = n;
      } else {
        state.model = absorbPoints(state.model, state.values, from, n);
        if (due && !state.refitInFlight) {
          state.refitInFlight = true;
          refit = {
            id,
            generation: state.generation,
            series: state.values.slice(0, n),
          };
        }
      }
    }
    const frame = forecastFrame(state.model, {
      id,
      n,
      last: state.values[n - 1],
      horizon: state.horizon,
      level: state.level,
      elapsedMs: 0,
    });
    frame.elapsedMs = roundMs(this.#now() - started);
    return refit ? { ok: true, frame, refit } : { ok: true, frame };
  }

  /**
   * Installs a refit's parameters and replays the points that arrived after
   * the job was made. Returns false (and changes nothing) when the series was
   * closed or reopened meanwhile, or the result is older than the current fit.
   */
  applyRefit(result: RefitResult): boolean {
    const state = this.#series.get(result.id);
    if (state === undefined || state.generation !== result.generation) {
      return false;
    }
    state.refitInFlight = false;
    if (result.n <= state.fittedAt || result.n > state.length) return false;
    state.model = absorbPoints(
      result.model,
      state.values,
      result.n,
      state.length,
    );
    state.fittedAt = result.n;
    return true;
  }

  /**
   * Forgets a refit that will not come back (the Worker failed), so a later
   * batch can ask again. Returns whether a refit was pending.
   */
  abandonRefit(id: string, generation: number): boolean {
    const state = this.#series.get(id);
    if (
      state === undefined || state.generation !== generation ||
      !state.refitInFlight
    ) return false;
    state.refitInFlight = false;
    return true;
  }

  /** Closes series `id` and frees its points. */
  close(id: string): CloseResult {
    if (!this.#series.delete(id)) {
      return this.#error("unknown_series", `Series "${id}" is not open`, id);
    }
    return { ok: true, frame: { type: "series_closed", id } };
  }

  /** Closes every series (call when the socket closes). Returns how many were open. */
  closeAll(): number {
    const count = this.#series.size;
    this.#series.clear();
    return count;
  }

  /** Points held by series `id`, or undefined when it is not open. */
  length(id: string): number | undefined {
    return this.#series.get(id)?.length;
  }

  /** The current model of series `id` (null before 3 points), for inspection. */
  model(id: string): HoltModel | null | undefined {
    return this.#series.get(id)?.model;
  }

  #append(state: SeriesState, points: readonly number[]): void {
    const needed = state.length + points.length;
    if (needed > state.values.length) {
      let capacity = state.values.length;
      while (capacity < needed) capacity *= 2;
      const grown = new Float64Array(
        Math.min(capacity, Math.max(needed, this.limits.maxSeriesLength)),
      );
      grown.set(state.values.subarray(0, state.length));
      state.values = grown;
    }
    state.values.set(points, state.length);
    state.length = needed;
  }

  #error(code: ErrorCode, message: string, id: string): SeriesError {
    return { ok: false, code, message, id };
  }
}
