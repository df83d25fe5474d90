/**
 * The task kinds a CPU worker can run, by name. Each is a pure function of a
 * structured-cloneable input. To add a kind (e.g. `forecast`), import its
 * function here and add one entry; the pool and the worker need no change.
 *
 * @module
 */

import { runRefitJob } from "../forecast/forecast_job.ts";
import { proofOfWork, type ProofOfWorkInput } from "./pow.ts";

/** A task: takes its input, returns (or resolves to) its output. */
export type Task = (input: never) => unknown;

/** Every task kind the worker dispatches. */
export const TASKS = {
  pow: (input: ProofOfWorkInput) => proofOfWork(input),
  /** Refits a forecast series' Holt parameters (lib/forecast). */
  forecast_refit: runRefitJob,
} satisfies Record<string, Task>;

/** The name of a known task kind. */
export type TaskKind = keyof typeof TASKS;

/** The input type of task `K`. */
export type TaskInput<K extends TaskKind> = Parameters<typeof TASKS[K]>[0];

/** The output type of task `K`. */
export type TaskOutput<K extends TaskKind> = Awaited<
  ReturnType<typeof TASKS[K]>
>;
