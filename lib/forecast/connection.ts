/**
 * One live forecast series over the app's `SocketClient`: the island hands
 * points to a {@link LiveForecast}, which validates them, sends them as
 * `series_points` frames paced under the server's frame rate, and passes on
 * the server's `forecast` frames.
 *
 * Why the bookkeeping:
 * - Pacing. The server allows `limits.ratePerSecond` frames per second per
 *   connection (`welcome`); a 50 points/s ticker flushed every animation
 *   frame would exceed it. Points are therefore coalesced: at most one batch
 *   per `1 / (rate × rateShare)` seconds, however fast they come.
 * - One numbering. A forecast's `n` counts the points the server holds. Each
 *   `welcome` (first connect or reconnect) opens a fresh series id and sends
 *   every point from the first, so `n` always indexes {@link LiveForecast.points}
 *   and the chart can show exactly the points a forecast was computed from.
 *   Frames for older ids are ignored.
 *
 * Browser-safe (no Deno APIs, no DOM beyond timers).
 *
 * @module
 */

import {
  DEFAULT_VALIDATION_LIMITS,
  type ErrorFrame,
  type ForecastFrame,
} from "../protocol.ts";
import type { ConnectionState, SocketClient } from "../client/socket_client.ts";

/** An error to show for the series: from the server or from local checks. */
export interface ForecastError {
  code: string;
  message: string;
  id?: string;
}

/** The part of `SocketClient` a {@link LiveForecast} uses. */
export type ForecastSocket = Pick<
  SocketClient,
  "sendNow" | "on" | "snapshot"
>;

/** Timer functions (injectable for unit tests). */
export interface ForecastTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

/** Options of a {@link LiveForecast}. */
export interface LiveForecastOptions {
  /** Steps to forecast (1–50). */
  horizon: number;
  /** Interval level (0.5–0.99). */
  level: number;
  /** Points one series may hold; should equal the server's SERIES_MAX_POINTS. */
  maxPoints: number;
  /**
   * Share of the server's frame rate this series may use (default 0.75): the
   * rest is left for pings and anything else on the connection.
   */
  rateShare?: number;
  timers?: ForecastTimers;
}

/** Error codes after which the rejected batch is dropped (it cannot succeed). */
const REJECTED_BATCH_CODES: ReadonlySet<string> = new Set([
  "bad_point",
  "series_too_long",
]);

/** Frame rate assumed before the first `welcome` (the server's default). */
const FALLBACK_RATE_PER_SECOND = 20;

const defaultTimers: ForecastTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) =>
    clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => performance.now(),
};

/**
 * Checks points before they are queued: each must be a finite number and the
 * series must stay within `room` more points. Returns the error or null.
 */
export function checkPoints(
  points: readonly unknown[],
  room: number,
  maxPoints: number,
): ForecastError | null {
  for (let i = 0; i < points.length; i++) {
    const point = points[i];
    if (typeof point !== "number" || !Number.isFinite(point)) {
      return {
        code: "bad_point",
        message: `Point ${i + 1} is not a finite number: ${
          String(typeof point === "number" ? point : JSON.stringify(point))
            .slice(0, 40)
        }. Nothing was added.`,
      };
    }
  }
  if (points.length > room) {
    return {
      code: "series_too_long",
      message: `A series holds at most ${maxPoints} points; ${
        Math.max(0, room)
      } more fit. Reset to start a new one.`,
    };
  }
  return null;
}

/** A live series whose forecasts the server computes. */
export class LiveForecast {
  readonly #client: ForecastSocket;
  readonly #timers: ForecastTimers;
  readonly #maxPoints: number;
  readonly #rateShare: number;
  #horizon: number;
  #level: number;
  #points: number[] = [];
  /** How many of #points went to the current series id. */
  #sent = 0;
  /** `n` of the last forecast for the current id. */
  #forecastN = 0;
  #seriesId: string | null = null;
  #openings = 0;
  #ready = false;
  #lastSendAt = -Infinity;
  #timer: unknown = null;
  #disposed = false;
  /** Restarted after an error and no forecast since: do not restart again. */
  #resyncing = false;
  readonly #unsubscribe: Array<() => void> = [];
  readonly #forecastListeners = new Set<(frame: ForecastFrame) => void>();
  readonly #errorListeners = new Set<(error: ForecastError) => void>();
  readonly #statusListeners = new Set<(state: ConnectionState) => void>();
  readonly #restartListeners = new Set<() => void>();

  /** Subscribes to `client`; the series opens on the next (or current) `welcome`. */
  constructor(client: ForecastSocket, options: LiveForecastOptions) {
    this.#client = client;
    this.#timers = options.timers ?? defaultTimers;
    this.#maxPoints = options.maxPoints;
    this.#rateShare = options.rateShare ?? 0.75;
    this.#horizon = options.horizon;
    this.#level = options.level;
    this.#unsubscribe.push(
      client.on("welcome", () => {
        this.#ready = true;
        this.#restart();
      }),
      client.on("state", (snapshot) => {
        if (snapshot.state !== "open" && this.#ready) {
          this.#ready = false;
          // The next welcome opens a new id with every point; the client
          // need not replay this one.
          this.#closeCurrent();
        }
        this.#statusListeners.forEach((fn) => fn(snapshot.state));
      }),
      client.on("forecast", (frame) => this.#onForecast(frame)),
      client.on("error", (frame) => this.#onError(frame)),
    );
    const snapshot = client.snapshot;
    if (snapshot.state === "open" && snapshot.welcome !== null) {
      this.#ready = true;
      this.#restart();
    }
  }

  /** Every point accepted so far (the series, in order). Do not mutate. */
  get points(): readonly number[] {
    return this.#points;
  }

  /** The series id on the server now, or null while disconnected. */
  get seriesId(): string | null {
    return this.#seriesId;
  }

  /** Points accepted but not yet covered by a forecast. */
  get pending(): number {
    return this.#points.length - this.#forecastN;
  }

  /**
   * Queues points for the server. All or nothing: returns the error (and
   * queues none) when a point is not a finite number or the series would
   * pass `maxPoints`.
   */
  add(points: readonly unknown[]): ForecastError | null {
    const problem = checkPoints(
      points,
      this.#maxPoints - this.#points.length,
      this.#maxPoints,
    );
    if (problem) return problem;
    for (const point of points as readonly number[]) this.#points.push(point);
    this.#flush();
    return null;
  }

  /** Changes horizon or level: the server's series restarts with every point. */
  configure(options: { horizon?: number; level?: number }): void {
    this.#horizon = options.horizon ?? this.#horizon;
    this.#level = options.level ?? this.#level;
    this.#restart();
  }

  /** Drops every point and starts an empty series. */
  reset(): void {
    this.#points = [];
    this.#restart();
  }

  /** Called with each forecast of the current series, in order. */
  onForecast(fn: (frame: ForecastFrame) => void): () => void {
    this.#forecastListeners.add(fn);
    return () => this.#forecastListeners.delete(fn);
  }

  /** Called with errors that concern this series (or the whole connection). */
  onError(fn: (error: ForecastError) => void): () => void {
    this.#errorListeners.add(fn);
    return () => this.#errorListeners.delete(fn);
  }

  /** Called with the connection state on every change. */
  onStatus(fn: (state: ConnectionState) => void): () => void {
    this.#statusListeners.add(fn);
    return () => this.#statusListeners.delete(fn);
  }

  /** Called when a new series id starts (its earlier forecasts no longer apply). */
  onRestart(fn: () => void): () => void {
    this.#restartListeners.add(fn);
    return () => this.#restartListeners.delete(fn);
  }

  /** Closes the series on the server and stops listening. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#cancelTimer();
    this.#closeCurrent();
    this.#unsubscribe.splice(0).forEach((off) => off());
    this.#forecastListeners.clear();
    this.#errorListeners.clear();
    this.#statusListeners.clear();
    this.#restartListeners.clear();
  }

  #restart(): void {
    if (this.#disposed) return;
    this.#closeCurrent();
    this.#restartListeners.forEach((fn) => fn());
    if (!this.#ready) return;
    this.#openings += 1;
    this.#seriesId = `forecast-${this.#openings}`;
    this.#client.sendNow({
      type: "series_open",
      id: this.#seriesId,
      horizon: this.#horizon,
      level: this.#level,
    });
    this.#flush();
  }

  #closeCurrent(): void {
    this.#cancelTimer();
    if (this.#seriesId !== null) {
      this.#client.sendNow({ type: "series_close", id: this.#seriesId });
    }
    this.#seriesId = null;
    this.#sent = 0;
    this.#forecastN = 0;
  }

  /** Sends what is queued now, or when the pacing interval allows. */
  #flush(): void {
    if (this.#seriesId === null || this.#timer !== null) return;
    if (this.#sent >= this.#points.length) return;
    const wait = this.#lastSendAt + this.#intervalMs() - this.#timers.now();
    if (wait > 0) {
      this.#timer = this.#timers.setTimeout(() => {
        this.#timer = null;
        this.#flush();
      }, wait);
      return;
    }
    const id = this.#seriesId;
    const { maxPointsPerFrame } = DEFAULT_VALIDATION_LIMITS;
    for (let i = this.#sent; i < this.#points.length; i += maxPointsPerFrame) {
      const points = this.#points.slice(i, i + maxPointsPerFrame);
      this.#client.sendNow({ type: "series_points", id, points });
    }
    this.#sent = this.#points.length;
    this.#lastSendAt = this.#timers.now();
  }

  #intervalMs(): number {
    const rate = this.#client.snapshot.welcome?.limits.ratePerSecond ??
      FALLBACK_RATE_PER_SECOND;
    return 1000 / Math.max(0.01, rate * this.#rateShare);
  }

  #cancelTimer(): void {
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #onForecast(frame: ForecastFrame): void {
    if (frame.id !== this.#seriesId) return;
    this.#forecastN = frame.n;
    this.#resyncing = false;
    this.#forecastListeners.forEach((fn) => fn(frame));
  }

  #onError(frame: ErrorFrame): void {
    if (frame.id !== undefined && frame.id !== this.#seriesId) return;
    const error: ForecastError = {
      code: frame.code,
      message: frame.message,
      id: frame.id,
    };
    if (frame.id !== undefined && !this.#resyncing) {
      if (REJECTED_BATCH_CODES.has(frame.code)) {
        // Batches are answered in order, so every point before the rejected
        // batch has had its forecast: keep those, drop the rest.
        const kept = this.#forecastN;
        const dropped = this.#points.length - kept;
        this.#points.length = kept;
        if (dropped > 0) {
          error.message += ` The last ${dropped} point${
            dropped === 1 ? " was" : "s were"
          } dropped.`;
        }
      }
      // The server and the page may disagree on the series now: start it
      // again, once, until a forecast shows the new one works.
      this.#restart();
      this.#resyncing = true;
    }
    this.#errorListeners.forEach((fn) => fn(error));
  }
}
