import assert from "node:assert/strict";
import { createUpperProcessor } from "./upper.ts";
import { createPowProcessor } from "./pow_processor.ts";
import { DEFAULT_PROCESSOR, ProcessorRegistry } from "./processor.ts";
import { leadingZeroBits, proofOfWork, verifyProofOfWork } from "./pow.ts";
import { WorkerPool } from "./worker_pool.ts";

Deno.test("upper: upper-cases after the delay", async () => {
  const upper = createUpperProcessor(20);
  const started = performance.now();
  const result = await upper.run("straße ok", new AbortController().signal);
  assert.equal(result, "STRASSE OK");
  assert.ok(performance.now() - started >= 15);
  assert.equal(upper.active, 0);
});

Deno.test("upper: a zero delay answers without a timer", async () => {
  const upper = createUpperProcessor(0);
  // Settles before any timer could fire (Deno clamps 0 ms timers to 1 ms).
  let timerFired = false;
  const timer = setTimeout(() => timerFired = true, 0);
  const result = await upper.run("abc", new AbortController().signal);
  clearTimeout(timer);
  assert.equal(result, "ABC");
  assert.equal(timerFired, false);
  assert.equal(upper.active, 0);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(upper.run("x", controller.signal), {
    name: "AbortError",
  });
});

Deno.test("upper: abort clears the timer and rejects with the reason", async () => {
  const upper = createUpperProcessor(60_000);
  const controller = new AbortController();
  const job = upper.run("x", controller.signal);
  assert.equal(upper.active, 1);
  controller.abort();
  await assert.rejects(job, { name: "AbortError" });
  assert.equal(upper.active, 0);
  // An already aborted signal never starts a job.
  await assert.rejects(upper.run("x", controller.signal), {
    name: "AbortError",
  });
  assert.equal(upper.active, 0);
});

Deno.test("registry: names, lookup, duplicates, active count", () => {
  const registry = new ProcessorRegistry([createUpperProcessor(1)]);
  assert.deepEqual(registry.names(), [DEFAULT_PROCESSOR]);
  assert.equal(registry.get("upper")?.name, "upper");
  assert.equal(registry.get("nope"), undefined);
  assert.throws(() => registry.register(createUpperProcessor(2)));
  assert.equal(registry.active(), 0);
});

Deno.test("pow: smallest nonce, verifiable, bounded attempts", () => {
  const proof = proofOfWork({ text: "hello", difficulty: 8 });
  assert.ok(verifyProofOfWork("hello", proof.nonce, 8));
  for (let nonce = 0; nonce < proof.nonce; nonce++) {
    assert.ok(!verifyProofOfWork("hello", nonce, 8));
  }
  assert.equal(proof.attempts, proof.nonce + 1);
  assert.throws(
    () => proofOfWork({ text: "hello", difficulty: 32, maxAttempts: 10 }),
    RangeError,
  );
  assert.throws(() => proofOfWork({ text: "x", difficulty: 0 }), RangeError);
  assert.equal(leadingZeroBits(new Uint8Array([0, 0x10])), 11);
  assert.equal(leadingZeroBits(new Uint8Array([0, 0])), 16);
});

Deno.test("pow processor: formats the proof and counts active jobs", async () => {
  const pool = new WorkerPool({ size: 1 });
  try {
    const pow = createPowProcessor(pool, 6);
    const result = await pow.run("t", new AbortController().signal, "c1");
    const [, nonce] = /^nonce=(\d+) sha256=[0-9a-f]{64}$/.exec(result)!;
    assert.ok(verifyProofOfWork("t", Number(nonce), 6));
    assert.equal(pow.active, 0);
  } finally {
    await pool.close();
  }
});
