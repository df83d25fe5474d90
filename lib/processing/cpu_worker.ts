/**
 * Worker entry for the CPU pool: a small dispatcher. It receives
 * `{id, kind, input}`, runs `TASKS[kind](input)` and answers
 * `{id, ok: true, value}` or `{id, ok: false, error}`. A task that throws is a
 * failed job; only an uncaught error outside a task (a crash) takes the
 * worker down, and the pool replaces it.
 *
 * @module
 */

/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />

import { TASKS } from "./tasks.ts";
import type { WorkerReply, WorkerRequest } from "./worker_protocol.ts";

const tasks: Record<string, (input: unknown) => unknown> = TASKS as never;

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const { id, kind, input } = event.data;
  let reply: WorkerReply;
  try {
    const task = tasks[kind];
    if (!task) throw new Error(`Unknown task kind "${kind}"`);
    reply = { id, ok: true, value: await task(input) };
  } catch (error) {
    reply = {
      id,
      ok: false,
      error: error instanceof Error ? error.message : String(error),
    };
  }
  self.postMessage(reply);
};
