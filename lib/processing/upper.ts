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
      return new Promise((resolve, reject) => {
        if (signal.aborted) {
          reject(signal.reason);
          return;
        }
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
