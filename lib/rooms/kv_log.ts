/**
 * Room sequence numbers and bounded history in Deno KV.
 *
 * Keys: `["room", room, "seq"]` holds the latest seq (a number);
 * `["room", room, "msg", seq]` holds each retained `RoomMessage`. `append`
 * reads the counter and commits counter + message + trim in one atomic
 * operation guarded by a version check, retrying on conflict, so seqs are
 * gap-free and only grow even with several isolates writing the same KV.
 *
 * @module
 */

import type { RoomMessage } from "../protocol.ts";
import type { HistorySnapshot, MessageDraft, RoomLog } from "./types.ts";

/**
 * Runs `operation`, retrying while SQLite reports the database locked: two
 * KV handles on one local file (two hubs, or two processes) contend for the
 * write lock, which is transient.
 */
export async function retryWhileLocked<T>(
  operation: () => Promise<T>,
  attempts = 50,
): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const locked = error instanceof Error &&
        /database is locked|SQLITE_BUSY/i.test(error.message);
      if (!locked || attempt >= attempts) throw error;
      const wait = Math.min(50, attempt * 2) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** Options for {@linkcode KvRoomLog}. */
export interface KvRoomLogOptions {
  /** Messages kept per room (older ones are deleted). */
  historyLimit: number;
  /** Whether `close()` closes the KV handle (true when this log opened it). */
  ownsKv?: boolean;
}

const seqKey = (room: string): Deno.KvKey => ["room", room, "seq"];
const msgKey = (room: string, seq: number): Deno.KvKey => [
  "room",
  room,
  "msg",
  seq,
];

/** A {@linkcode RoomLog} on a Deno KV database. */
export class KvRoomLog implements RoomLog {
  readonly appendPublishes = false;
  readonly #kv: Deno.Kv;
  readonly #limit: number;
  readonly #ownsKv: boolean;

  constructor(kv: Deno.Kv, options: KvRoomLogOptions) {
    if (!Number.isInteger(options.historyLimit) || options.historyLimit < 1) {
      throw new RangeError("historyLimit must be a positive integer");
    }
    this.#kv = kv;
    this.#limit = options.historyLimit;
    this.#ownsKv = options.ownsKv ?? false;
  }

  /** Opens the KV at `path` (`:memory:` for tests) and returns a log that owns it. */
  static async open(
    path: string | undefined,
    historyLimit: number,
  ): Promise<KvRoomLog> {
    const kv = await Deno.openKv(path);
    return new KvRoomLog(kv, { historyLimit, ownsKv: true });
  }

  async append(room: string, draft: MessageDraft): Promise<RoomMessage> {
    for (let attempt = 0;; attempt++) {
      const current = await this.#kv.get<number>(seqKey(room));
      const seq = (current.value ?? 0) + 1;
      const message: RoomMessage = { room, seq, ...pick(draft) };
      const operation = this.#kv.atomic()
        .check(current)
        .set(seqKey(room), seq)
        .set(msgKey(room, seq), message);
      // Each append adds one message, so deleting the one that just fell out
      // of the window keeps the room at the bound.
      if (seq > this.#limit) operation.delete(msgKey(room, seq - this.#limit));
      const result = await retryWhileLocked(() => operation.commit());
      if (result.ok) {
        // Rarely (a smaller limit than before), older leftovers remain.
        if (seq % 1000 === 0) await this.trim(room, seq);
        return message;
      }
      if (attempt > 1000) {
        throw new Error(`Could not assign a seq in room ${room} (contention)`);
      }
    }
  }

  async raiseSeq(room: string, floor: number): Promise<number> {
    for (;;) {
      const current = await this.#kv.get<number>(seqKey(room));
      const latest = current.value ?? 0;
      if (latest >= floor) return latest;
      const result = await retryWhileLocked(() =>
        this.#kv.atomic().check(current).set(seqKey(room), floor).commit()
      );
      if (result.ok) return floor;
    }
  }

  /** Deletes every message at or below `latest - historyLimit`. */
  async trim(room: string, latest?: number): Promise<number> {
    const top = latest ?? ((await this.#kv.get<number>(seqKey(room))).value ??
      0);
    const end = top - this.#limit + 1;
    if (end <= 1) return 0;
    let deleted = 0;
    for await (
      const entry of this.#kv.list({
        start: msgKey(room, 0),
        end: msgKey(room, end),
      })
    ) {
      await this.#kv.delete(entry.key);
      deleted++;
    }
    return deleted;
  }

  async snapshot(
    room: string,
    options: { since?: number; count: number },
  ): Promise<HistorySnapshot> {
    // One consistent read: the counter first, then messages up to it.
    const latest = (await this.#kv.get<number>(seqKey(room))).value ?? 0;
    if (options.since !== undefined) {
      return {
        latest,
        messages: await this.range(room, options.since, latest),
      };
    }
    const messages: RoomMessage[] = [];
    if (options.count > 0 && latest > 0) {
      const iterator = this.#kv.list<RoomMessage>({
        start: msgKey(room, 0),
        end: msgKey(room, latest + 1),
      }, { reverse: true, limit: options.count });
      for await (const entry of iterator) messages.push(entry.value);
      messages.reverse();
    }
    return { latest, messages };
  }

  async range(
    room: string,
    after: number,
    upTo: number,
  ): Promise<RoomMessage[]> {
    const messages: RoomMessage[] = [];
    upTo = Math.min(upTo, Number.MAX_SAFE_INTEGER);
    if (upTo <= after) return messages;
    const iterator = this.#kv.list<RoomMessage>({
      start: msgKey(room, Math.max(0, after + 1)),
      end: msgKey(room, upTo + 1),
    }, { batchSize: 500 });
    for await (const entry of iterator) messages.push(entry.value);
    return messages;
  }

  close(): Promise<void> {
    if (this.#ownsKv) this.#kv.close();
    return Promise.resolve();
  }
}

function pick(draft: MessageDraft): MessageDraft {
  return {
    id: draft.id,
    from: draft.from,
    text: draft.text,
    message: draft.message,
    time: draft.time,
    processor: draft.processor,
  };
}
