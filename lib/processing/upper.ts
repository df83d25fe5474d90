/**
 * The seed's processor: wait `PROCESS_DELAY_MS` (the tutorial's stand-in for
 * heavy work), then upper-case the text. The wait is a timer, not a busy loop,
 * so many jobs overlap; aborting clears the timer at once.
 *
 * @module
 */

import type { Processor } from "./processor.ts";

/** Makes the `upper` processor with the given delay in milliseconds. */
export function createUpperProcessor(delayMs: number): Processor {
  let active = 0;
  return {
    name: "upper",
    description:
      `Upper-cases the text after ${delayMs} ms (the seed's behaviour)`,
    get active() {
      return active;
    },
    run(text: string, signal: AbortSignal): Promise<string> {
      if (signal.aborted) return Promise.reject(signal.reason);
      // No timer without a delay: Deno clamps setTimeout(…, 0) to 1 ms, so a
      // zero-delay timer would add a millisecond and timer bookkeeping to
      // every message (a quarter of the server's time under echo load).
      if (delayMs <= 0) return Promise.resolve(text.toUpperCase());
      return new Promise((resolve, reject) => {
        active++;
        const onAbort = () => {
          clearTimeout(timer);
          active--;
          reject(signal.reason);
        };
        const timer = setTimeout(() => {
          signal.removeEventListener("abort", onAbort);
          active--;
          resolve(text.toUpperCase());
        }, delayMs);
        signal.addEventListener("abort", onAbort, { once: true });
      });
    },
  };
}
