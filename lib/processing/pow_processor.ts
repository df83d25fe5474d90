/**
 * The `pow` processor: a hashcash-style proof of work over the text (see
 * pow.ts), run in the CPU worker pool. Its result reads
 * `nonce=<n> sha256=<hex digest>`.
 *
 * @module
 */

import type { Processor } from "./processor.ts";
import type { WorkerPool } from "./worker_pool.ts";

/** Zero bits required by default: about 65,000 hashes, a fraction of a second per job. */
export const POW_DIFFICULTY = 16;

/** Makes the `pow` processor running on `pool`. */
export function createPowProcessor(
  pool: WorkerPool,
  difficulty: number = POW_DIFFICULTY,
): Processor {
  let active = 0;
  return {
    name: "pow",
    description:
      `Proof of work: the smallest nonce whose SHA-256(text:nonce) starts with ${difficulty} zero bits (CPU-bound, worker pool)`,
    get active() {
      return active;
    },
    async run(text: string, signal: AbortSignal, owner?: string) {
      active++;
      try {
        const proof = await pool.run("pow", { text, difficulty }, {
          signal,
          owner,
        });
        return `nonce=${proof.nonce} sha256=${proof.digest}`;
      } finally {
        active--;
      }
    },
  };
}
