/**
 * What the forecast island needs from "the server": open a series, send
 * points, close it, and hear back forecasts, errors and link status.
 *
 * Two implementations:
 * - {@link createSocketForecastConnection} over the app's `SocketClient`
 *   (lib/client/socket_client.ts), which speaks `series_*` on `/ws`;
 * - {@link createLocalForecastConnection}, the same {@link SeriesSessions}
 *   state machine the server uses, run in the page: the demo works without a
 *   server and the two paths give the same frames.
 *
 * Browser-safe.
 *
 * @module
 */

import type { ForecastFrame } from "../protocol.ts";
import type { SocketClient } from "../client/socket_client.ts";
import { runRefitJob } from "./forecast_job.ts";
import { type SeriesLimits, SeriesSessions } from "./series_session.ts";

/** An error the server (or the local model) reported for a series. */
export interface ForecastError {
  code: string;
  message: string;
  id?: string;
}

/** The link to whatever computes forecasts. */
export interface ForecastConnection {
  /** Opens (or restarts) series `id`. */
  open(id: string, options: { horizon: number; level: number }): void;
  /** Appends points to series `id` (at most 1,000 per call, per the protocol). */
  points(id: string, points: number[]): void;
  /** Closes series `id`. */
  close(id: string): void;
  /** Subscribes to forecast frames; returns the unsubscribe function. */
  onForecast(fn: (frame: ForecastFrame) => void): () => void;
  /** Subscribes to errors; returns the unsubscribe function. */
  onError(fn: (error: ForecastError) => void): () => void;
  /** Subscribes to a short status text ("local", "open", "reconnecting", ...). */
  onStatus(fn: (status: string) => void): () => void;
  /** Stops listening and frees what the connection holds. */
  dispose(): void;
}

/** The part of `SocketClient` the adapter uses. */
export type ForecastSocket = Pick<
  SocketClient,
  "openSeries" | "sendPoints" | "closeSeries" | "on"
>;

/**
 * Adapts the app's socket client. The client re-opens series and replays
 * their recent points after a reconnect, so nothing else is needed here.
 */
export function createSocketForecastConnection(
  client: ForecastSocket,
): ForecastConnection {
  const unsubscribers: Array<() => void> = [];
  const track = (unsubscribe: () => void) => {
    unsubscribers.push(unsubscribe);
    return unsubscribe;
  };
  return {
    open: (id, options) => client.openSeries(id, options),
    points: (id, points) => client.sendPoints(id, points),
    close: (id) => client.closeSeries(id),
    onForecast: (fn) => track(client.on("forecast", fn)),
    onError: (fn) =>
      track(client.on("error", (frame) => {
        fn({ code: frame.code, message: frame.message, id: frame.id });
      })),
    onStatus: (fn) =>
      track(client.on("state", (snapshot) => fn(snapshot.state))),
    dispose: () => unsubscribers.splice(0).forEach((off) => off()),
  };
}

/**
 * Runs the model in the page. Frames are delivered asynchronously (as a
 * server's would be) and refits of long series run in a later task so they
 * do not stall the frame that asked for them.
 */
export function createLocalForecastConnection(
  limits: Partial<SeriesLimits> = {},
): ForecastConnection {
  const sessions = new SeriesSessions(limits);
  const forecastListeners = new Set<(frame: ForecastFrame) => void>();
  const errorListeners = new Set<(error: ForecastError) => void>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let disposed = false;

  const later = (task: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!disposed) task();
    }, 0);
    timers.add(timer);
  };
  const report = (error: ForecastError) =>
    later(() => errorListeners.forEach((fn) => fn(error)));

  return {
    open(id, options) {
      const result = sessions.open(id, options);
      if (!result.ok) report(result);
    },
    points(id, points) {
      const result = sessions.addPoints(id, points);
      if (!result.ok) return report(result);
      const { frame, refit } = result;
      later(() => forecastListeners.forEach((fn) => fn(frame)));
      if (refit) {
        later(() => {
          try {
            sessions.applyRefit(runRefitJob(refit));
          } catch (error) {
            sessions.abandonRefit(refit.id, refit.generation);
            report({
              code: "processing_failed",
              message: String(error),
              id: refit.id,
            });
          }
        });
      }
    },
    close(id) {
      sessions.close(id);
    },
    onForecast(fn) {
      forecastListeners.add(fn);
      return () => forecastListeners.delete(fn);
    },
    onError(fn) {
      errorListeners.add(fn);
      return () => errorListeners.delete(fn);
    },
    onStatus(fn) {
      later(() => fn("local"));
      return () => {};
    },
    dispose() {
      disposed = true;
      timers.forEach(clearTimeout);
      timers.clear();
      sessions.closeAll();
      forecastListeners.clear();
      errorListeners.clear();
    },
  };
}
