/**
 * A pool of module workers for CPU-bound tasks, so heavy jobs never block the
 * event loop that serves sockets.
 *
 * - Bounded queue: past `queueLimit` waiting jobs, `run` rejects with
 *   {@linkcode PoolBusyError} at once rather than growing without bound.
 * - Fair dispatch: waiting jobs are grouped by owner (a connection id) and
 *   served round-robin, so one connection's burst cannot starve others.
 * - Cancellation: a waiting job whose signal aborts leaves the queue. A running
 *   job cannot be interrupted inside a synchronous loop, so its worker is
 *   terminated and replaced (lazily, on the next job); the result is never
 *   delivered. Spawning a worker costs a few ms, far less than the jobs this
 *   pool exists for, and it frees the core at once.
 * - Crashes: a worker that dies (uncaught error, failed load) fails its job
 *   with {@linkcode WorkerCrashError} and is replaced on the next job.
 *
 * Workers are created lazily, so a server that never runs CPU jobs spawns none.
 *
 * @module
 */

import type { WorkerReply, WorkerRequest } from "./worker_protocol.ts";
import type { TaskInput, TaskKind, TaskOutput } from "./tasks.ts";

/** The queue is full; try later. */
export class PoolBusyError extends Error {
  constructor() {
    super("The worker pool is busy");
    this.name = "PoolBusyError";
  }
}

/** The pool was closed. */
export class PoolClosedError extends Error {
  constructor() {
    super("The worker pool is closed");
    this.name = "PoolClosedError";
  }
}

/** The worker running the job died. */
export class WorkerCrashError extends Error {
  constructor(detail: string) {
    super(`The worker crashed: ${detail}`);
    this.name = "WorkerCrashError";
  }
}

/** The task threw inside the worker. */
export class TaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TaskError";
  }
}

/** Options for {@linkcode WorkerPool}. */
export interface WorkerPoolOptions {
  /** Number of workers. */
  size: number;
  /** Jobs allowed to wait for a worker. @default {1024} */
  queueLimit?: number;
  /** Worker module; defaults to cpu_worker.ts (tests pass others). */
  workerUrl?: URL;
}

/** Options for one {@linkcode WorkerPool.run} call. */
export interface RunOptions {
  /** Aborting cancels the job (see the module docs). */
  signal?: AbortSignal;
  /** Who asked; jobs are shared fairly between owners. */
  owner?: string;
}

/** Counters exposed by {@linkcode WorkerPool.stats}. */
export interface PoolStats {
  size: number;
  workers: number;
  busy: number;
  queued: number;
  completed: number;
  failed: number;
  crashed: number;
  abandoned: number;
}

interface Job {
  id: number;
  kind: string;
  input: unknown;
  owner: string;
  signal?: AbortSignal;
  slot?: Slot;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  detach(): void;
}

interface Slot {
  worker?: Worker;
  job?: Job;
}

/** A fixed-size pool of CPU workers with a fair, bounded queue. */
export class WorkerPool {
  readonly #size: number;
  readonly #queueLimit: number;
  readonly #workerUrl: URL;
  readonly #slots: Slot[];
  /** Waiting jobs per owner; Map order is the round-robin order. */
  readonly #queues = new Map<string, Job[]>();
  #queued = 0;
  #nextId = 1;
  #closed = false;
  #completed = 0;
  #failed = 0;
  #crashed = 0;
  #abandoned = 0;

  /** @param options pool size, queue bound and worker module */
  constructor(options: WorkerPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new RangeError("WorkerPool size must be a positive integer");
    }
    this.#size = options.size;
    this.#queueLimit = options.queueLimit ?? 1024;
    this.#workerUrl = options.workerUrl ??
      new URL("./cpu_worker.ts", import.meta.url);
    this.#slots = Array.from({ length: this.#size }, () => ({}));
  }

  /** Runs task `kind` on `input` in a worker. */
  run<K extends TaskKind>(
    kind: K,
    input: TaskInput<K>,
    options?: RunOptions,
  ): Promise<TaskOutput<K>>;
  /** Runs a task by name (for worker modules with other task kinds). */
  run(kind: string, input: unknown, options?: RunOptions): Promise<unknown>;
  run(kind: string, input: unknown, options: RunOptions = {}) {
    const { signal, owner = "" } = options;
    if (this.#closed) return Promise.reject(new PoolClosedError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#queued >= this.#queueLimit) {
      return Promise.reject(new PoolBusyError());
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => this.#cancel(job, signal!.reason);
      const job: Job = {
        id: this.#nextId++,
        kind,
        input,
        owner,
        signal,
        resolve,
        reject,
        detach: () => signal?.removeEventListener("abort", onAbort),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#enqueue(job);
      this.#dispatch();
    });
  }

  /** Current counters. */
  stats(): PoolStats {
    return {
      size: this.#size,
      workers: this.#slots.filter((slot) => slot.worker).length,
      busy: this.#slots.filter((slot) => slot.job).length,
      queued: this.#queued,
      completed: this.#completed,
      failed: this.#failed,
      crashed: this.#crashed,
      abandoned: this.#abandoned,
    };
  }

  /** Rejects waiting and running jobs with {@linkcode PoolClosedError} and terminates every worker. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (const jobs of this.#queues.values()) {
      for (const job of jobs) this.#settle(job, new PoolClosedError(), false);
    }
    this.#queues.clear();
    this.#queued = 0;
    for (const slot of this.#slots) {
      if (slot.job) this.#settle(slot.job, new PoolClosedError(), false);
      slot.job = undefined;
      slot.worker?.terminate();
      slot.worker = undefined;
    }
    return Promise.resolve();
  }

  #idleSlot(): Slot | undefined {
    return this.#slots.find((slot) => !slot.job);
  }

  #enqueue(job: Job): void {
    const jobs = this.#queues.get(job.owner);
    if (jobs) jobs.push(job);
    else this.#queues.set(job.owner, [job]);
    this.#queued++;
  }

  #dequeue(): Job | undefined {
    for (const [owner, jobs] of this.#queues) {
      const job = jobs.shift()!;
      this.#queued--;
      // Move this owner to the back of the round-robin order.
      this.#queues.delete(owner);
      if (jobs.length > 0) this.#queues.set(owner, jobs);
      return job;
    }
    return undefined;
  }

  #dispatch(): void {
    let slot: Slot | undefined;
    while (this.#queued > 0 && (slot = this.#idleSlot())) {
      const job = this.#dequeue()!;
      job.slot = slot;
      slot.job = job;
      const request: WorkerRequest = {
        id: job.id,
        kind: job.kind,
        input: job.input,
      };
      this.#workerFor(slot).postMessage(request);
    }
  }

  #workerFor(slot: Slot): Worker {
    if (slot.worker) return slot.worker;
    const worker = new Worker(this.#workerUrl, { type: "module" });
    worker.onmessage = (event: MessageEvent<WorkerReply>) => {
      const job = slot.job;
      const reply = event.data;
      if (!job || job.id !== reply.id) return;
      slot.job = undefined;
      if (reply.ok) {
        this.#completed++;
        this.#settle(job, undefined, true, reply.value);
      } else {
        this.#failed++;
        this.#settle(job, new TaskError(reply.error), false);
      }
      this.#dispatch();
    };
    const onCrash = (detail: string) => {
      this.#crashed++;
      worker.terminate();
      if (slot.worker === worker) slot.worker = undefined;
      const job = slot.job;
      slot.job = undefined;
      if (job) this.#settle(job, new WorkerCrashError(detail), false);
      this.#dispatch();
    };
    worker.onerror = (event: ErrorEvent) => {
      // Keep the crash inside the pool instead of failing the whole process.
      event.preventDefault();
      onCrash(event.message || "uncaught error");
    };
    worker.onmessageerror = () => onCrash("unreadable message");
    slot.worker = worker;
    return worker;
  }

  #cancel(job: Job, reason: unknown): void {
    const slot = job.slot;
    if (slot && slot.job === job) {
      // Running: a synchronous task cannot be interrupted, so drop the worker.
      this.#abandoned++;
      slot.worker?.terminate();
      slot.worker = undefined;
      slot.job = undefined;
      this.#settle(job, reason, false);
      // After the other listeners of this abort ran: the owner's queued jobs
      // leave first instead of each starting a worker just to be dropped.
      queueMicrotask(() => this.#dispatch());
      return;
    }
    const jobs = this.#queues.get(job.owner);
    const index = jobs?.indexOf(job) ?? -1;
    if (jobs && index >= 0) {
      jobs.splice(index, 1);
      this.#queued--;
      if (jobs.length === 0) this.#queues.delete(job.owner);
    }
    this.#settle(job, reason, false);
  }

  #settle(job: Job, error: unknown, ok: boolean, value?: unknown): void {
    job.detach();
    if (ok) job.resolve(value);
    else job.reject(error);
  }
}
