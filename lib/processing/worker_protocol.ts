/**
 * Messages between the worker pool and its workers.
 *
 * @module
 */

/** A job sent to a worker. */
export interface WorkerRequest {
  id: number;
  kind: string;
  input: unknown;
}

/** A worker's answer to one job. */
export type WorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string };
