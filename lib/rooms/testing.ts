/**
 * Test support (not used by the app): a recording room member for hub tests: it keeps every frame the hub sends
 * it and waits for conditions without fixed sleeps.
 *
 * @module
 */

import type { JoinedFrame, RoomMessage } from "../protocol.ts";
import type { MessageDraft } from "./types.ts";

/** A room message draft numbered `n` (id `m<n>`, text `hi <n>`), for hub and log tests. */
export function draft(n: number | string, from = "Ann"): MessageDraft {
  return {
    id: `m${n}`,
    from,
    text: `hi ${n}`,
    message: `HI ${n}`,
    time: "10:00:00",
    processor: "upper",
  };
}

/** A room member that records frames, as a socket would receive them. */
export class RecordingMember {
  readonly frames: Record<string, unknown>[] = [];
  #waiters: Array<() => void> = [];

  constructor(readonly id: string, readonly name: string = id) {}

  /** The hub calls this with each encoded frame. */
  send = (encoded: string): void => {
    this.frames.push(JSON.parse(encoded));
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  };

  /** Records `joined` the way the connection handler sends it. */
  got(joined: JoinedFrame): JoinedFrame {
    this.send(JSON.stringify(joined));
    return joined;
  }

  /** The `message` frames received, in order. */
  messages(): RoomMessage[] {
    return this.frames.filter((f) =>
      f.type === "message"
    ) as unknown as RoomMessage[];
  }

  /** The seqs of received `message` frames, in order. */
  seqs(): number[] {
    return this.messages().map((m) => m.seq);
  }

  /** The `online` values of received `presence` frames, in order. */
  presence(): number[] {
    return this.frames.filter((f) => f.type === "presence").map((f) =>
      f.online as number
    );
  }

  /** Resolves once `predicate` holds; rejects after `timeoutMs`. */
  async until(
    predicate: () => boolean,
    what: string,
    timeoutMs = 20_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`${this.id}: timed out waiting for ${what}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

/** Polls `predicate` every 20 ms until it holds or `timeoutMs` passes. */
export async function eventually(
  predicate: () => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
