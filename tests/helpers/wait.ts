/**
 * Waiting for a condition instead of sleeping: polls until it holds, with a
 * generous deadline that only guards against a hang (the CI machine has two
 * cores and runs test files in parallel, so nothing here asserts speed).
 *
 * @example
 * ```ts
 * await waitUntil(() => server.realtime.connections.size === 0, "no sockets");
 * const health = await waitUntil(
 *   () => fetchHealth(),
 *   "healthz 200",
 *   { done: (h) => h.status === 200 },
 * );
 * ```
 * @module
 */

/** The default deadline of {@linkcode waitUntil}, in ms. */
export const WAIT_MS = 60_000;

/** Options for {@linkcode waitUntil}. */
export interface WaitOptions<T> {
  /** Give up (reject) after this many ms. @default {WAIT_MS} */
  timeoutMs?: number;
  /** Pause between probes, in ms. @default {20} */
  intervalMs?: number;
  /** When the probe's value counts as done. @default {Boolean} */
  done?: (value: T) => boolean;
}

/**
 * Calls `probe` until `done(value)` holds (by default: until the value is
 * truthy) and resolves with that value; rejects naming `what` and the last
 * value after `timeoutMs`.
 */
export async function waitUntil<T>(
  probe: () => T | Promise<T>,
  what: string,
  options: WaitOptions<T> = {},
): Promise<T> {
  const { timeoutMs = WAIT_MS, intervalMs = 20, done = Boolean } = options;
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last: ${
          JSON.stringify(value)?.slice(0, 300)
        }`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
