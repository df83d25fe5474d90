/**
 * Presence stores without Redis: in-process (one server) and Deno KV (several
 * isolates sharing one KV, as on Deno Deploy).
 *
 * @module
 */

import { retryWhileLocked } from "./kv_log.ts";
import type { PresenceStore } from "./types.ts";

/** Presence for a single process: the global count is the local count. */
export class LocalPresence implements PresenceStore {
  readonly publishes = false;

  update(_room: string, localCount: number): Promise<number> {
    return Promise.resolve(localCount);
  }

  heartbeat(
    localCounts: ReadonlyMap<string, number>,
  ): Promise<Map<string, number>> {
    return Promise.resolve(new Map(localCounts));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface KvPresenceEntry {
  count: number;
  expiresAt: number;
}

/** Options for {@linkcode KvPresence}. */
export interface KvPresenceOptions {
  /** This process's (isolate's) id. */
  processId: string;
  /** How long a count lives without a heartbeat, in ms. */
  ttlMs: number;
}

/**
 * Presence in Deno KV: `["presence", room, processId]` holds this process's
 * count with an expiry, refreshed by the heartbeat; the total is the sum of
 * unexpired entries, so a crashed isolate's members drop out after `ttlMs`.
 */
export class KvPresence implements PresenceStore {
  readonly publishes = false;
  readonly #kv: Deno.Kv;
  readonly #options: KvPresenceOptions;
  readonly #rooms = new Set<string>();

  constructor(kv: Deno.Kv, options: KvPresenceOptions) {
    this.#kv = kv;
    this.#options = options;
  }

  async update(room: string, localCount: number): Promise<number> {
    const key = ["presence", room, this.#options.processId];
    if (localCount > 0) {
      const entry: KvPresenceEntry = {
        count: localCount,
        expiresAt: Date.now() + this.#options.ttlMs,
      };
      await retryWhileLocked(() =>
        this.#kv.set(key, entry, { expireIn: this.#options.ttlMs })
      );
      this.#rooms.add(room);
    } else {
      await retryWhileLocked(() => this.#kv.delete(key));
      this.#rooms.delete(room);
    }
    return await this.#total(room);
  }

  async #total(room: string): Promise<number> {
    const now = Date.now();
    let total = 0;
    // KV deletes expired keys lazily, so the expiry is checked here too.
    for await (
      const entry of this.#kv.list<KvPresenceEntry>({
        prefix: ["presence", room],
      })
    ) {
      if (entry.value.expiresAt > now) total += entry.value.count;
    }
    return total;
  }

  async heartbeat(
    localCounts: ReadonlyMap<string, number>,
  ): Promise<Map<string, number>> {
    const totals = new Map<string, number>();
    for (const [room, count] of localCounts) {
      totals.set(room, await this.update(room, count));
    }
    return totals;
  }

  async close(): Promise<void> {
    for (const room of [...this.#rooms]) {
      await this.#kv.delete(["presence", room, this.#options.processId]);
    }
    this.#rooms.clear();
  }
}
