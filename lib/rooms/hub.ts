/**
 * The rooms hub: joins, leaves, history, resume, presence and in-order
 * fan-out of room messages, on one process or scaled out over Redis.
 *
 * Delivery guarantees per member: every message with a seq above what the
 * member was given at join time, exactly once, in seq order. Each process
 * keeps, per room, the highest seq it delivered (`cursor`); anything that
 * arrives ahead of it is buffered, and a gap that is still open after
 * `gapWaitMs` is filled from the room log. After a lost bus connection comes
 * back, every room catches up from the log.
 *
 * @module
 */

import type { JoinedFrame, RoomMessage } from "../protocol.ts";
import { BroadcastBus } from "./broadcast_bus.ts";
import { BusUnavailableError, HubClosedError } from "./errors.ts";
import { KvRoomLog } from "./kv_log.ts";
import { LocalBus } from "./local_bus.ts";
import {
  decodePayload,
  encodeMessageFrame,
  messagePayload,
  presencePayload,
} from "./payload.ts";
import { KvPresence, LocalPresence } from "./presence.ts";
import { RedisBus } from "./redis_bus.ts";
import { RedisKeys } from "./redis_keys.ts";
import { describe, RedisLink } from "./redis_link.ts";
import { RedisRoomLog } from "./redis_log.ts";
import { RedisPresence } from "./redis_presence.ts";
import type {
  Bus,
  MessageDraft,
  PresenceStore,
  RoomLog,
  RoomMember,
} from "./types.ts";

export {
  BusUnavailableError,
  HubClosedError,
  RedisUnavailableError,
} from "./errors.ts";
export type { MessageDraft, RoomMember } from "./types.ts";

/** Which fan-out the hub uses between processes. */
export type BusKind = "local" | "redis" | "broadcast";

/** Hub settings; the app's config provides the first five. */
export interface HubConfig {
  /** Deno KV path (KV_PATH); `:memory:` in tests; undefined = default KV. */
  kvPath?: string;
  /** Redis URL (REDIS_URL); required when `bus` is "redis". */
  redisUrl?: string;
  /** Fan-out: "local" (default), "redis" or "broadcast". */
  bus?: BusKind;
  /** Messages sent on a join without `since` (HISTORY_ON_JOIN, default 50). */
  historyOnJoin?: number;
  /** Messages retained per room (HISTORY_LIMIT, default 1000). */
  historyLimit?: number;
  /** Redis key prefix (default "rooms:"). */
  redisKeyPrefix?: string;
  /** BroadcastChannel name (default "rooms-v1"). */
  broadcastChannel?: string;
  /** How long a sequence gap may stay open before history fills it, ms (default 200). */
  gapWaitMs?: number;
  /** Presence heartbeat period, ms (default 5000). */
  heartbeatMs?: number;
  /** A process's counts expire this long after its last heartbeat, ms (default 3 × heartbeat). */
  presenceTtlMs?: number;
  /** This process's id (default: a random UUID). */
  processId?: string;
  /** Where warnings go (default console.warn). */
  log?: (message: string) => void;
}

/** The parts a hub is assembled from (see {@linkcode createHub}). */
export interface HubParts {
  log: RoomLog;
  bus: Bus;
  presence: PresenceStore;
  historyOnJoin: number;
  historyLimit: number;
  gapWaitMs?: number;
  heartbeatMs?: number;
  /** Warnings (lost messages, failed presence updates). */
  warn?: (message: string) => void;
  /** Releases shared resources (connections) after the parts are closed. */
  onClose?: () => Promise<void>;
}

/** What `status()` reports for health checks. */
export type HubStatus = "ok" | "degraded";

type Timer = ReturnType<typeof setTimeout>;

interface QueuedFrame {
  seq: number | undefined;
  frame: string;
}

interface MemberState {
  member: RoomMember;
  /** Highest seq this member has (undefined until its join snapshot is read). */
  cursor: number | undefined;
  /** Until the caller had a chance to send `joined`, frames wait here. */
  held: boolean;
  /** Set on leave, so a pending flush sends nothing. */
  gone: boolean;
  queue: QueuedFrame[];
}

class RoomFeed {
  readonly members = new Map<string, MemberState>();
  /** Highest seq delivered here in order (undefined until subscribed). */
  cursor: number | undefined;
  readonly pending = new Map<number, string>();
  online = 0;
  ready: Promise<void> = Promise.resolve();
  gapTimer: Timer | undefined;
  filling = false;
  closed = false;
}

/**
 * Rooms with history and resume. Create it with {@linkcode createHub}.
 *
 * ```ts
 * const hub = await createHub({ kvPath: ":memory:" });
 * const joined = await hub.join("lobby", { id: "c1", name: "Ann", send });
 * send(JSON.stringify(joined)); // right away, before awaiting anything else
 * await hub.publish("lobby", draft); // every member gets a `message` frame
 * ```
 */
export class Hub {
  readonly #log: RoomLog;
  readonly #bus: Bus;
  readonly #presence: PresenceStore;
  readonly #historyOnJoin: number;
  readonly #historyLimit: number;
  readonly #gapWaitMs: number;
  readonly #warn: (message: string) => void;
  readonly #onClose: (() => Promise<void>) | undefined;
  readonly #feeds = new Map<string, RoomFeed>();
  readonly #presenceChains = new Map<string, Promise<number>>();
  readonly #flushTimers = new Set<Timer>();
  readonly #heartbeatTimer: Timer | undefined;
  #heartbeating = false;
  #closed = false;
  /** Set while catching up after a reconnect; publishes and joins wait. */
  #recovering: Promise<void> | undefined;
  #reconnects = 0;

  constructor(parts: HubParts) {
    this.#log = parts.log;
    this.#bus = parts.bus;
    this.#presence = parts.presence;
    this.#historyOnJoin = parts.historyOnJoin;
    this.#historyLimit = parts.historyLimit;
    this.#gapWaitMs = parts.gapWaitMs ?? 200;
    this.#warn = parts.warn ?? ((message) => console.warn(message));
    this.#onClose = parts.onClose;
    this.#bus.listen((room, payload) => this.#receive(room, payload));
    this.#bus.onReconnect(() => {
      this.#reconnects++;
      const recovering = this.#catchUp();
      this.#recovering = recovering;
      recovering.catch(() => {}).then(() => {
        if (this.#recovering === recovering) this.#recovering = undefined;
      });
    });
    const heartbeatMs = parts.heartbeatMs ?? 5000;
    if (heartbeatMs > 0) {
      const timer = setInterval(() => this.#heartbeat(), heartbeatMs);
      // A server keeps running for its sockets, not for this timer.
      Deno.unrefTimer(timer as unknown as number);
      this.#heartbeatTimer = timer;
    }
  }

  /**
   * Joins `member` to `room`. Without `since`, the answer carries the last
   * `historyOnJoin` messages; with `since`, exactly the retained messages
   * with seq > since. Live `message` and `presence` frames follow through
   * `member.send`, but only after the current task: send the returned
   * `joined` frame as soon as the promise resolves, before awaiting anything
   * else, and it is guaranteed to precede them.
   *
   * Rejects with {@linkcode BusUnavailableError} when the store or bus is
   * down; the member is then not in the room.
   */
  async join(
    room: string,
    member: RoomMember,
    since?: number,
  ): Promise<JoinedFrame> {
    if (this.#closed) throw new HubClosedError();
    let feed = this.#feeds.get(room);
    if (feed === undefined) {
      const created = new RoomFeed();
      feed = created;
      this.#feeds.set(room, created);
      created.ready = this.#openFeed(room, created);
      // Joiners await it; this keeps an early failure from being unhandled.
      created.ready.catch(() => {});
    }
    const state: MemberState = {
      member,
      cursor: undefined,
      held: true,
      gone: false,
      queue: [],
    };
    // A second join of the same member replaces the first.
    const replaced = feed.members.get(member.id);
    if (replaced !== undefined) replaced.gone = true;
    // Registered before the snapshot is read, so nothing falls in between.
    feed.members.set(member.id, state);
    try {
      if (!this.#bus.healthy) {
        throw new Error("the shared bus is disconnected");
      }
      await this.#recovering;
      await feed.ready;
      const snapshot = await this.#log.snapshot(
        room,
        since === undefined
          ? { count: this.#historyOnJoin }
          : { since, count: this.#historyLimit },
      );
      const online = await this.#syncPresence(room);
      state.cursor = snapshot.latest;
      if (feed.members.get(member.id) === state) this.#scheduleFlush(state);
      return {
        type: "joined",
        room,
        name: member.name,
        seq: snapshot.latest,
        history: snapshot.messages,
        online,
      };
    } catch (error) {
      state.gone = true;
      if (feed.members.get(member.id) === state) {
        feed.members.delete(member.id);
        if (feed.members.size === 0) this.#closeFeed(room, feed);
      }
      if (this.#closed) throw new HubClosedError();
      throw new BusUnavailableError(
        `Could not join room ${room}: ${describe(error)}`,
        { cause: error },
      );
    }
  }

  /** Removes `member` from `room`; false if it was not there. Never rejects. */
  async leave(room: string, member: Pick<RoomMember, "id">): Promise<boolean> {
    const feed = this.#feeds.get(room);
    const state = feed?.members.get(member.id);
    if (feed === undefined || state === undefined) return false;
    feed.members.delete(member.id);
    state.gone = true;
    if (feed.members.size === 0) this.#closeFeed(room, feed);
    if (this.#closed) return true;
    try {
      await this.#syncPresence(room);
    } catch (error) {
      // The heartbeat re-asserts counts once the store is back.
      this.#warn(`Presence update for room ${room} failed: ${describe(error)}`);
    }
    return true;
  }

  /**
   * Gives the message the room's next seq, stores it and fans it out to
   * every member in every process. Rejects with
   * {@linkcode BusUnavailableError} when it could not be stored or fanned
   * out: the sender must then not be told it was delivered.
   */
  async publish(room: string, draft: MessageDraft): Promise<RoomMessage> {
    if (this.#closed) throw new HubClosedError();
    if (!this.#bus.healthy) {
      throw new BusUnavailableError(
        `Room message not sent: the shared bus is disconnected`,
      );
    }
    let message: RoomMessage;
    try {
      // After a reconnect, seqs must be re-floored before new ones are given.
      await this.#recovering;
      message = await this.#log.append(room, draft);
    } catch (error) {
      throw new BusUnavailableError(
        `Room message not stored: ${describe(error)}`,
        { cause: error },
      );
    }
    if (!this.#log.appendPublishes) {
      try {
        await this.#bus.publish(
          room,
          messagePayload(message.seq, encodeMessageFrame(message)),
        );
      } catch (error) {
        throw new BusUnavailableError(
          `Room message not fanned out: ${describe(error)}`,
          { cause: error },
        );
      }
    }
    return message;
  }

  /** The last known global online count of `room` (0 if none here). */
  online(room: string): number {
    return this.#feeds.get(room)?.online ?? 0;
  }

  /** The number of rooms with members on this process. */
  rooms(): number {
    return this.#feeds.size;
  }

  /** The number of room memberships on this process. */
  members(): number {
    let total = 0;
    for (const feed of this.#feeds.values()) total += feed.members.size;
    return total;
  }

  /** Times the bus came back after a lost connection (for /metrics). */
  reconnects(): number {
    return this.#reconnects;
  }

  /** "degraded" while the shared bus is unreachable (local members still served). */
  status(): HubStatus {
    return !this.#closed && this.#bus.healthy ? "ok" : "degraded";
  }

  /** Drops this process's presence and closes the log, bus and connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#heartbeatTimer !== undefined) {
      clearInterval(this.#heartbeatTimer);
    }
    for (const timer of this.#flushTimers) clearTimeout(timer);
    this.#flushTimers.clear();
    for (const [room, feed] of [...this.#feeds]) this.#closeFeed(room, feed);
    await Promise.allSettled([...this.#presenceChains.values()]);
    for (
      const closing of [
        () => this.#presence.close(),
        () => this.#bus.close(),
        () => this.#log.close(),
        () => this.#onClose?.() ?? Promise.resolve(),
      ]
    ) {
      try {
        await closing();
      } catch (error) {
        this.#warn(`Closing the rooms hub: ${describe(error)}`);
      }
    }
  }

  // ------------------------------------------------------------ feeds

  async #openFeed(room: string, feed: RoomFeed): Promise<void> {
    await this.#bus.subscribe(room);
    // Subscribed first, then read: every later seq arrives on the bus.
    const { latest } = await this.#log.snapshot(room, { count: 0 });
    if (feed.cursor === undefined) {
      feed.cursor = latest;
      this.#drain(room, feed);
    }
  }

  #closeFeed(room: string, feed: RoomFeed): void {
    if (feed.closed) return;
    feed.closed = true;
    if (feed.gapTimer !== undefined) clearTimeout(feed.gapTimer);
    if (this.#feeds.get(room) === feed) this.#feeds.delete(room);
    // A join racing this one re-subscribes after, in order, on the bus.
    this.#bus.unsubscribe(room).catch((error) => {
      this.#warn(`Unsubscribing room ${room} failed: ${describe(error)}`);
    });
  }

  #receive(room: string, payload: string): void {
    const feed = this.#feeds.get(room);
    if (feed === undefined) return;
    const decoded = decodePayload(payload);
    if (decoded === undefined) {
      this.#warn(`Ignoring a malformed bus payload for room ${room}`);
      return;
    }
    if (decoded.kind === "presence") {
      feed.online = decoded.online;
      this.#deliver(feed, undefined, decoded.frame);
      return;
    }
    this.#accept(room, feed, decoded.seq, decoded.frame);
  }

  #accept(room: string, feed: RoomFeed, seq: number, frame: string): void {
    if (feed.cursor !== undefined && seq <= feed.cursor) return;
    feed.pending.set(seq, frame);
    this.#drain(room, feed);
  }

  /** Delivers buffered messages that are next in line; arms the gap timer. */
  #drain(room: string, feed: RoomFeed): void {
    if (feed.cursor === undefined) return;
    for (const seq of feed.pending.keys()) {
      if (seq <= feed.cursor) feed.pending.delete(seq);
    }
    let next = feed.pending.get(feed.cursor + 1);
    while (next !== undefined) {
      feed.pending.delete(feed.cursor + 1);
      feed.cursor++;
      this.#deliver(feed, feed.cursor, next);
      next = feed.pending.get(feed.cursor + 1);
    }
    if (feed.pending.size === 0) {
      if (feed.gapTimer !== undefined) clearTimeout(feed.gapTimer);
      feed.gapTimer = undefined;
    } else if (feed.gapTimer === undefined && !feed.filling) {
      feed.gapTimer = setTimeout(() => {
        feed.gapTimer = undefined;
        this.#fillGap(room, feed);
      }, this.#gapWaitMs);
    }
  }

  /** Reads a still-open gap from the log; skips seqs the log no longer has. */
  async #fillGap(room: string, feed: RoomFeed): Promise<void> {
    if (feed.closed || feed.cursor === undefined || feed.pending.size === 0) {
      return;
    }
    const upTo = Math.min(...feed.pending.keys()) - 1;
    const from = feed.cursor;
    feed.filling = true;
    try {
      const missing = await this.#log.range(room, from, upTo);
      if (feed.closed) return;
      for (const message of missing) {
        if (message.seq > feed.cursor) {
          feed.pending.set(message.seq, encodeMessageFrame(message));
        }
      }
      if (feed.cursor < upTo && !feed.pending.has(feed.cursor + 1)) {
        // Trimmed by retention before this process saw it: say so, move on.
        this.#warn(
          `Room ${room}: seq ${
            feed.cursor + 1
          }..${upTo} no longer in history; skipped`,
        );
        feed.cursor = upTo;
      }
    } catch (error) {
      this.#warn(`Room ${room}: filling a gap failed: ${describe(error)}`);
    } finally {
      feed.filling = false;
    }
    if (!feed.closed) this.#drain(room, feed);
  }

  /**
   * After a reconnect: make sure the store's seqs are not below what members
   * here have seen (a Redis restarted without persistence starts from 0),
   * fetch what the bus dropped meanwhile, and refresh presence.
   */
  async #catchUp(): Promise<void> {
    await Promise.all([...this.#feeds].map(async ([room, feed]) => {
      if (feed.cursor === undefined) return;
      try {
        const latest = await this.#log.raiseSeq(room, feed.cursor);
        if (latest === feed.cursor) return;
        const missed = await this.#log.range(room, feed.cursor, Infinity);
        if (feed.closed) return;
        for (const message of missed) {
          if (message.seq > (feed.cursor ?? Infinity)) {
            feed.pending.set(message.seq, encodeMessageFrame(message));
          }
        }
        this.#drain(room, feed);
      } catch (error) {
        this.#warn(`Room ${room}: catching up failed: ${describe(error)}`);
      }
    }));
    await this.#heartbeat();
  }

  // ------------------------------------------------------------ members

  #deliver(feed: RoomFeed, seq: number | undefined, frame: string): void {
    for (const state of feed.members.values()) {
      if (state.held || state.cursor === undefined) {
        state.queue.push({ seq, frame });
      } else if (seq === undefined) {
        this.#send(state, frame);
      } else if (seq > state.cursor) {
        state.cursor = seq;
        this.#send(state, frame);
      }
    }
  }

  #scheduleFlush(state: MemberState): void {
    const timer = setTimeout(() => {
      this.#flushTimers.delete(timer);
      state.held = false;
      if (state.gone) return;
      const queue = state.queue;
      state.queue = [];
      for (const { seq, frame } of queue) {
        if (seq === undefined) {
          this.#send(state, frame);
        } else if (seq > (state.cursor ?? Infinity)) {
          state.cursor = seq;
          this.#send(state, frame);
        }
      }
    }, 0);
    this.#flushTimers.add(timer);
  }

  #send(state: MemberState, frame: string): void {
    try {
      state.member.send(frame);
    } catch (error) {
      // One broken socket must not stop delivery to the others.
      this.#warn(`Sending to member ${state.member.id}: ${describe(error)}`);
    }
  }

  // ------------------------------------------------------------ presence

  /** Updates this process's count in the store, one update per room at a time. */
  #syncPresence(room: string): Promise<number> {
    const previous = this.#presenceChains.get(room) ?? Promise.resolve(0);
    const next = previous.catch(() => 0).then(async () => {
      const count = this.#feeds.get(room)?.members.size ?? 0;
      const online = await this.#presence.update(room, count);
      this.#announce(room, online);
      return online;
    });
    this.#presenceChains.set(room, next);
    const clear = () => {
      if (this.#presenceChains.get(room) === next) {
        this.#presenceChains.delete(room);
      }
    };
    next.then(clear, clear);
    return next;
  }

  /** Broadcasts a changed total when the presence store does not do it itself. */
  #announce(room: string, online: number): void {
    const feed = this.#feeds.get(room);
    if (this.#presence.publishes) {
      // Redis publishes changes; this only seeds the cache for online().
      if (feed !== undefined && feed.online === 0) feed.online = online;
      return;
    }
    if (feed !== undefined && feed.online === online) return;
    this.#bus.publish(room, presencePayload(room, online)).catch((error) => {
      this.#warn(`Presence broadcast for ${room} failed: ${describe(error)}`);
    });
  }

  async #heartbeat(): Promise<void> {
    if (this.#closed || this.#heartbeating || !this.#bus.healthy) return;
    this.#heartbeating = true;
    try {
      const counts = new Map<string, number>();
      for (const [room, feed] of this.#feeds) {
        counts.set(room, feed.members.size);
      }
      const totals = await this.#presence.heartbeat(counts);
      for (const [room, online] of totals) this.#announce(room, online);
    } catch (error) {
      this.#warn(`Presence heartbeat failed: ${describe(error)}`);
    } finally {
      this.#heartbeating = false;
    }
  }
}

/**
 * Builds a hub from configuration: KV history with the in-process bus
 * (default), KV history with BroadcastChannel fan-out and KV presence
 * ("broadcast", for Deno Deploy), or history, seqs, fan-out and presence in
 * Redis ("redis"). With "redis", an unreachable Redis rejects with a
 * {@linkcode RedisUnavailableError} that names REDIS_URL.
 */
export async function createHub(config: HubConfig = {}): Promise<Hub> {
  const historyOnJoin = config.historyOnJoin ?? 50;
  const historyLimit = config.historyLimit ?? 1000;
  if (!Number.isInteger(historyOnJoin) || historyOnJoin < 0) {
    throw new RangeError("HISTORY_ON_JOIN must be a non-negative integer");
  }
  if (!Number.isInteger(historyLimit) || historyLimit < 1) {
    throw new RangeError("HISTORY_LIMIT must be a positive integer");
  }
  const heartbeatMs = config.heartbeatMs ?? 5000;
  const presenceTtlMs = config.presenceTtlMs ?? Math.max(3 * heartbeatMs, 1000);
  const processId = config.processId ?? crypto.randomUUID();
  const warn = config.log ?? ((message: string) => console.warn(message));
  const common = {
    historyOnJoin,
    historyLimit,
    gapWaitMs: config.gapWaitMs,
    heartbeatMs,
    warn,
  };
  const kind = config.bus ?? "local";
  switch (kind) {
    case "redis": {
      if (!config.redisUrl) {
        throw new Error('REDIS_URL must be set when the bus is "redis"');
      }
      const link = await RedisLink.connect(config.redisUrl, { log: warn });
      const keys = new RedisKeys(config.redisKeyPrefix);
      return new Hub({
        ...common,
        log: new RedisRoomLog(link, keys, historyLimit),
        bus: new RedisBus(link, keys),
        presence: new RedisPresence(link, keys, {
          processId,
          ttlMs: presenceTtlMs,
        }),
        onClose: () => link.close(),
      });
    }
    case "broadcast": {
      const kv = await Deno.openKv(config.kvPath);
      return new Hub({
        ...common,
        log: new KvRoomLog(kv, { historyLimit }),
        bus: new BroadcastBus(config.broadcastChannel),
        presence: new KvPresence(kv, { processId, ttlMs: presenceTtlMs }),
        onClose: () => Promise.resolve(kv.close()),
      });
    }
    case "local": {
      const log = await KvRoomLog.open(config.kvPath, historyLimit);
      return new Hub({
        ...common,
        log,
        bus: new LocalBus(),
        presence: new LocalPresence(),
      });
    }
    default:
      throw new Error(
        `Unknown bus ${JSON.stringify(kind)}: use local, redis or broadcast`,
      );
  }
}
