/**
 * Counters of the realtime server, read by `RealtimeServer.stats()` (and by a
 * metrics endpoint later).
 *
 * @module
 */

import type { ErrorCode } from "../protocol.ts";

/** Upper bounds (ms) of the processing latency histogram buckets. */
export const LATENCY_BUCKETS_MS: readonly number[] = [
  1,
  5,
  10,
  50,
  100,
  250,
  500,
  1000,
  2500,
  5000,
  10000,
];

/** A snapshot of the counters. */
export interface StatsSnapshot {
  connectionsOpen: number;
  connectionsTotal: number;
  refused: Record<string, number>;
  framesIn: number;
  framesOut: number;
  errors: Partial<Record<ErrorCode, number>>;
  closes: Record<string, number>;
  jobsInFlight: number;
  processing: {
    count: number;
    totalMs: number;
    maxMs: number;
    /** Cumulative counts per bucket upper bound; the last entry is +Inf. */
    buckets: { le: number; count: number }[];
  };
}

/** Mutable counters shared by the server and its connections. */
export class Stats {
  connectionsOpen = 0;
  connectionsTotal = 0;
  framesIn = 0;
  framesOut = 0;
  jobsInFlight = 0;
  readonly refused: Record<string, number> = {};
  readonly errors: Partial<Record<ErrorCode, number>> = {};
  readonly closes: Record<string, number> = {};
  #latencyCount = 0;
  #latencyTotal = 0;
  #latencyMax = 0;
  #buckets = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);

  /** Counts an error frame sent. */
  error(code: ErrorCode): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  /** Counts an upgrade refused with `status`. */
  refuse(status: number): void {
    this.refused[status] = (this.refused[status] ?? 0) + 1;
  }

  /** Counts a socket closed with `code`. */
  close(code: number): void {
    this.closes[code] = (this.closes[code] ?? 0) + 1;
  }

  /** Records one finished job's processing time. */
  latency(ms: number): void {
    this.#latencyCount++;
    this.#latencyTotal += ms;
    this.#latencyMax = Math.max(this.#latencyMax, ms);
    // A plain scan: this runs once per message and most land in the first bucket.
    let index = 0;
    while (
      index < LATENCY_BUCKETS_MS.length && ms > LATENCY_BUCKETS_MS[index]
    ) {
      index++;
    }
    this.#buckets[index]++;
  }

  /** A copy of every counter. */
  snapshot(): StatsSnapshot {
    let running = 0;
    const buckets = this.#buckets.map((count, index) => {
      running += count;
      return { le: LATENCY_BUCKETS_MS[index] ?? Infinity, count: running };
    });
    return {
      connectionsOpen: this.connectionsOpen,
      connectionsTotal: this.connectionsTotal,
      refused: { ...this.refused },
      framesIn: this.framesIn,
      framesOut: this.framesOut,
      errors: { ...this.errors },
      closes: { ...this.closes },
      jobsInFlight: this.jobsInFlight,
      processing: {
        count: this.#latencyCount,
        totalMs: this.#latencyTotal,
        maxMs: this.#latencyMax,
        buckets,
      },
    };
  }
}
