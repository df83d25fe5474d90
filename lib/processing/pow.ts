/**
 * Hashcash-style proof of work, the CPU-bound job behind the `pow` processor:
 * find the smallest nonce such that SHA-256(`text:nonce`) starts with
 * `difficulty` zero bits. Checking a proof is one hash; finding it takes about
 * 2^difficulty hashes, which is what makes it a real CPU load.
 *
 * Pure and synchronous: it runs inside a worker (see cpu_worker.ts).
 *
 * @module
 */

import { createHash } from "node:crypto";

/** Input of the `pow` task. */
export interface ProofOfWorkInput {
  text: string;
  /** Leading zero bits required, 1 to 32. */
  difficulty: number;
  /** Give up after this many hashes. @default {2 ** 28} */
  maxAttempts?: number;
}

/** A found proof. */
export interface ProofOfWork {
  nonce: number;
  /** Hex SHA-256 of `text:nonce`. */
  digest: string;
  /** Hashes computed (nonce + 1). */
  attempts: number;
}

/** Counts leading zero bits of a byte array. */
export function leadingZeroBits(bytes: Uint8Array): number {
  let bits = 0;
  for (const byte of bytes) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

function sha256(text: string): Uint8Array {
  return createHash("sha256").update(text).digest();
}

/** Checks a claimed proof with one hash. */
export function verifyProofOfWork(
  text: string,
  nonce: number,
  difficulty: number,
): boolean {
  return leadingZeroBits(sha256(`${text}:${nonce}`)) >= difficulty;
}

/**
 * Finds the smallest nonce meeting `difficulty`.
 * @throws {RangeError} for a bad difficulty, or when `maxAttempts` run out
 */
export function proofOfWork(input: ProofOfWorkInput): ProofOfWork {
  const { text, difficulty } = input;
  const maxAttempts = input.maxAttempts ?? 2 ** 28;
  if (typeof text !== "string") throw new TypeError("text must be a string");
  if (!Number.isInteger(difficulty) || difficulty < 1 || difficulty > 32) {
    throw new RangeError("difficulty must be a whole number from 1 to 32");
  }
  const prefix = `${text}:`;
  for (let nonce = 0; nonce < maxAttempts; nonce++) {
    const digest = sha256(prefix + nonce);
    if (leadingZeroBits(digest) >= difficulty) {
      return {
        nonce,
        digest: Array.from(digest, (b) => b.toString(16).padStart(2, "0"))
          .join(""),
        attempts: nonce + 1,
      };
    }
  }
  throw new RangeError(`No proof within ${maxAttempts} attempts`);
}
