/**
 * A token bucket: `burst` tokens, refilled at `ratePerSecond`. Each client
 * frame takes one; an empty bucket means the frame is refused.
 *
 * @module
 */

/** Per-connection rate limiter. */
export class TokenBucket {
  #tokens: number;
  #last: number;

  /**
   * @param ratePerSecond tokens added per second
   * @param burst bucket size (and starting level)
   * @param now clock in milliseconds; injectable for tests
   */
  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#tokens = burst;
    this.#last = now();
  }

  #refill(): void {
    const now = this.now();
    const elapsed = Math.max(0, now - this.#last) / 1000;
    this.#last = now;
    this.#tokens = Math.min(
      this.burst,
      this.#tokens + elapsed * this.ratePerSecond,
    );
  }

  /** Takes one token; false when the bucket is empty. */
  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Whether the bucket has refilled completely (the client has been quiet). */
  get full(): boolean {
    this.#refill();
    return this.#tokens >= this.burst;
  }
}
