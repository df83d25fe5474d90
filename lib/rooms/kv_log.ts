/**
 * Room sequence numbers and bounded history in Deno KV.
 *
 * Keys: `["room", room, "seq"]` holds the latest seq (a number);
 * `["room", room, "msg", seq]` holds each retained `RoomMessage`. `append`
 * commits counter + message + trim in one atomic operation guarded by a
 * version check on the counter, retrying on conflict, so seqs are gap-free
 * and only grow even with several isolates writing the same KV.
 *
 * The counter's value and versionstamp are remembered from this log's last
 * commit, so a busy room costs one write per message, not a read and a write;
 * another writer (isolate, process, or log on the same KV) changes the
 * versionstamp, the check fails, and the counter is read again. Appends to a
 * room are queued and committed one batch at a time, in order: a burst that
 * arrives while a commit is in flight goes out in the next, single commit.
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

/** Messages committed together at most (KV allows 1000 mutations, 2 each). */
const MAX_BATCH_MESSAGES = 100;
/**
 * Rough byte budget of one batch, well under KV's 800 KiB per commit: text
 * and message may each be up to MAX_TEXT_LENGTH UTF-16 units, 3 bytes each.
 */
const MAX_BATCH_BYTES = 256 * 1024;
/** Rooms whose counter is remembered; the least recently used is dropped. */
const MAX_REMEMBERED_ROOMS = 10_000;

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
  /** The seq counter as of this log's last read or commit, per room. */
  readonly #counters = new Map<string, SeqCounter>();
  /** Appends waiting for their room's commit, per room. */
  readonly #queues = new Map<string, PendingAppend[]>();

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

  append(room: string, draft: MessageDraft): Promise<RoomMessage> {
    return new Promise((resolve, reject) => {
      const queue = this.#queues.get(room);
      const pending = { draft: pick(draft), resolve, reject };
      if (queue !== undefined) {
        // A commit for this room is in flight; this one follows it.
        queue.push(pending);
        return;
      }
      this.#queues.set(room, [pending]);
      void this.#drain(room);
    });
  }

  /** Commits the room's queue batch by batch until it is empty. */
  async #drain(room: string): Promise<void> {
    const queue = this.#queues.get(room)!;
    while (queue.length > 0) {
      const batch = queue.splice(0, batchLength(queue));
      try {
        const messages = await this.#commitBatch(room, batch);
        batch.forEach((pending, i) => pending.resolve(messages[i]));
      } catch (error) {
        if (batch.length === 1) {
          batch[0].reject(error);
          continue;
        }
        // One bad message (e.g. too large for KV) must not fail the others:
        // commit them one by one, each succeeding or failing on its own.
        for (const pending of batch) {
          try {
            pending.resolve((await this.#commitBatch(room, [pending]))[0]);
          } catch (single) {
            pending.reject(single);
          }
        }
      }
    }
    this.#queues.delete(room);
  }

  /** Gives `batch` the room's next seqs and stores it in one atomic commit. */
  async #commitBatch(
    room: string,
    batch: PendingAppend[],
  ): Promise<RoomMessage[]> {
    for (let attempt = 0;; attempt++) {
      const current = this.#counters.get(room) ??
        await this.#readCounter(room);
      const first = current.value + 1;
      const messages = batch.map((pending, i): RoomMessage => ({
        room,
        seq: first + i,
        ...pending.draft,
      }));
      const last = first + batch.length - 1;
      const operation = this.#kv.atomic()
        .check(current)
        .set(seqKey(room), last);
      for (const message of messages) {
        operation.set(msgKey(room, message.seq), message);
        // Each message pushes one out of the window once the room is full.
        if (message.seq > this.#limit) {
          operation.delete(msgKey(room, message.seq - this.#limit));
        }
      }
      let result: Deno.KvCommitResult | Deno.KvCommitError;
      try {
        result = await retryWhileLocked(() => operation.commit());
      } catch (error) {
        // The counter may or may not have moved: read it next time.
        this.#counters.delete(room);
        throw error;
      }
      if (result.ok) {
        this.#remember(room, {
          key: seqKey(room),
          value: last,
          versionstamp: result.versionstamp,
        });
        // Rarely (a smaller limit than before), older leftovers remain.
        if (Math.floor(last / 1000) > Math.floor((first - 1) / 1000)) {
          // The batch is stored; a failed clean-up only leaves extra history
          // (the next thousand tries again) and must not fail the senders.
          await this.trim(room, last).catch(() => {});
        }
        return messages;
      }
      // Someone else wrote the counter since: read it again and renumber.
      this.#counters.delete(room);
      if (attempt > 1000) {
        throw new Error(`Could not assign a seq in room ${room} (contention)`);
      }
    }
  }

  async #readCounter(room: string): Promise<SeqCounter> {
    const entry = await this.#kv.get<number>(seqKey(room));
    return {
      key: entry.key,
      value: entry.value ?? 0,
      versionstamp: entry.versionstamp,
    };
  }

  #remember(room: string, counter: SeqCounter): void {
    // Re-inserted so that Map order is least recently used first.
    this.#counters.delete(room);
    this.#counters.set(room, counter);
    if (this.#counters.size > MAX_REMEMBERED_ROOMS) {
      this.#counters.delete(this.#counters.keys().next().value!);
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
      if (result.ok) {
        this.#remember(room, {
          key: seqKey(room),
          value: floor,
          versionstamp: result.versionstamp,
        });
        return floor;
      }
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

/** The room's seq counter with the versionstamp that guards the next commit. */
interface SeqCounter {
  key: Deno.KvKey;
  value: number;
  /** null when the room has no counter yet (the check then asks for none). */
  versionstamp: string | null;
}

interface PendingAppend {
  draft: MessageDraft;
  resolve(message: RoomMessage): void;
  reject(error: unknown): void;
}

/** How many queued appends go into the next commit (at least one). */
function batchLength(queue: PendingAppend[]): number {
  let bytes = 0;
  let count = 0;
  while (count < queue.length && count < MAX_BATCH_MESSAGES) {
    const { draft } = queue[count];
    bytes += 3 * (draft.text.length + draft.message.length) + 256;
    if (count > 0 && bytes > MAX_BATCH_BYTES) break;
    count++;
  }
  return count;
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
