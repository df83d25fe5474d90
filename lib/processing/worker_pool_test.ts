import assert from "node:assert/strict";
import {
  PoolBusyError,
  PoolClosedError,
  TaskError,
  WorkerCrashError,
  WorkerPool,
} from "./worker_pool.ts";
import { verifyProofOfWork } from "./pow.ts";

const TEST_WORKER = new URL("./testdata/crash_worker.ts", import.meta.url);

Deno.test("runs the real pow task in a worker", async () => {
  const pool = new WorkerPool({ size: 1 });
  try {
    const proof = await pool.run("pow", { text: "abc", difficulty: 8 });
    assert.ok(verifyProofOfWork("abc", proof.nonce, 8));
    assert.equal(proof.digest.length, 64);
    await assert.rejects(
      pool.run("pow", { text: "abc", difficulty: 99 }),
      TaskError,
    );
  } finally {
    await pool.close();
  }
});

Deno.test("a crashed worker fails its job and is replaced", async () => {
  const pool = new WorkerPool({ size: 1, workerUrl: TEST_WORKER });
  try {
    await assert.rejects(pool.run("crash", null), WorkerCrashError);
    assert.equal(await pool.run("ok", 7), 7);
    const stats = pool.stats();
    assert.equal(stats.crashed, 1);
    assert.equal(stats.completed, 1);
    await assert.rejects(pool.run("fail", null), TaskError);
  } finally {
    await pool.close();
  }
});

Deno.test("bounded queue: past queueLimit, run rejects with PoolBusyError", async () => {
  const pool = new WorkerPool({
    size: 1,
    queueLimit: 2,
    workerUrl: TEST_WORKER,
  });
  try {
    const running = pool.run("spin", 200);
    const queued = [pool.run("ok", 1), pool.run("ok", 2)];
    await assert.rejects(pool.run("ok", 3), PoolBusyError);
    assert.deepEqual(await Promise.all([running, ...queued]), [200, 1, 2]);
  } finally {
    await pool.close();
  }
});

Deno.test("fair dispatch: owners take turns", async () => {
  const pool = new WorkerPool({ size: 1, workerUrl: TEST_WORKER });
  try {
    const order: string[] = [];
    const track = (label: string, owner: string) =>
      pool.run("ok", label, { owner }).then(() => void order.push(label));
    const blocker = pool.run("spin", 100, { owner: "z" });
    const jobs = [
      track("a1", "a"),
      track("a2", "a"),
      track("a3", "a"),
      track("b1", "b"),
      track("b2", "b"),
    ];
    await Promise.all([blocker, ...jobs]);
    assert.deepEqual(order, ["a1", "b1", "a2", "b2", "a3"]);
  } finally {
    await pool.close();
  }
});

Deno.test("abort: a queued job leaves the queue; a running job is abandoned", async () => {
  const pool = new WorkerPool({ size: 1, workerUrl: TEST_WORKER });
  try {
    const running = new AbortController();
    const waiting = new AbortController();
    // A job that spins for ten minutes: only a terminated worker gets the
    // pool going again before the guard below.
    const first = pool.run("spin", 600_000, { signal: running.signal });
    const second = pool.run("ok", 2, { signal: waiting.signal });
    assert.equal(pool.stats().queued, 1);
    waiting.abort();
    await assert.rejects(second, { name: "AbortError" });
    assert.equal(pool.stats().queued, 0);
    running.abort();
    await assert.rejects(first, { name: "AbortError" });
    assert.equal(pool.stats().abandoned, 1);
    assert.equal(pool.stats().busy, 0);
    // The worker was terminated and is replaced for the next job. The
    // guard is against a hang, far below the spin: no speed is measured.
    let guard: ReturnType<typeof setTimeout> | undefined;
    const next = await Promise.race([
      pool.run("ok", 3),
      new Promise((resolve) => guard = setTimeout(resolve, 60_000, "stuck")),
    ]).finally(() => clearTimeout(guard));
    assert.equal(next, 3, "the next job ran on a fresh worker");
    assert.equal(pool.stats().workers, 1);
  } finally {
    await pool.close();
  }
});

Deno.test("close rejects waiting jobs and later runs", async () => {
  const pool = new WorkerPool({ size: 1, workerUrl: TEST_WORKER });
  const running = pool.run("spin", 100);
  const waiting = pool.run("ok", 1);
  await pool.close();
  await assert.rejects(running, PoolClosedError);
  await assert.rejects(waiting, PoolClosedError);
  await assert.rejects(pool.run("ok", 1), PoolClosedError);
});
