/**
 * Wires the `series_*` frames of one connection to lib/forecast's
 * {@linkcode SeriesSessions}: each frame is answered at once, in order; a
 * refit of a long series runs in the CPU worker pool (task `forecast_refit`)
 * and is applied when it comes back.
 *
 * @module
 */

import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import { SeriesSessions } from "../forecast/series_session.ts";
import type { RefitJob } from "../forecast/forecast_job.ts";
import { isAbort } from "../processing/processor.ts";
import type { WorkerPool } from "../processing/worker_pool.ts";
import type {
  SeriesFrame,
  SeriesHandler,
  SeriesHandlerContext,
  SeriesHandlerFactory,
} from "./connection.ts";

/** Makes per-connection series handlers that refit on `pool`. */
export function createSeriesHandlerFactory(
  pool: WorkerPool,
  config: Config,
  logger: Logger,
): SeriesHandlerFactory {
  return (context) => new ForecastSeriesHandler(pool, config, logger, context);
}

class ForecastSeriesHandler implements SeriesHandler {
  readonly #sessions: SeriesSessions;

  constructor(
    private readonly pool: WorkerPool,
    config: Config,
    private readonly logger: Logger,
    private readonly context: SeriesHandlerContext,
  ) {
    this.#sessions = new SeriesSessions({
      maxSeriesLength: config.seriesMaxPoints,
    });
  }

  handle(frame: SeriesFrame): void {
    const { send, sendError } = this.context;
    switch (frame.type) {
      case "series_open": {
        const result = this.#sessions.open(frame.id, {
          horizon: frame.horizon,
          level: frame.level,
        });
        if (result.ok) send(result.frame);
        else sendError(result.code, result.message, result.id);
        return;
      }
      case "series_points": {
        const result = this.#sessions.addPoints(frame.id, frame.points);
        if (!result.ok) {
          sendError(result.code, result.message, result.id);
          return;
        }
        send(result.frame);
        if (result.refit) this.#refit(result.refit);
        return;
      }
      case "series_close": {
        const result = this.#sessions.close(frame.id);
        if (result.ok) send(result.frame);
        else sendError(result.code, result.message, result.id);
        return;
      }
    }
  }

  #refit(job: RefitJob): void {
    const { signal, owner } = this.context;
    this.pool.run("forecast_refit", job, { signal, owner }).then(
      (result) => void this.#sessions.applyRefit(result),
      (error) => {
        this.#sessions.abandonRefit(job.id, job.generation);
        if (!isAbort(error, signal)) {
          // The forecast already sent stays valid; the next batch retries.
          this.logger.warn("forecast_refit_failed", { owner, error });
        }
      },
    );
  }

  close(): void {
    this.#sessions.closeAll();
  }
}
