/**
 * The seams of the rooms subsystem: a member the hub delivers to, the room
 * log (sequence numbers + history), the fan-out bus and the presence store.
 * Each has a local, a Deno KV / BroadcastChannel and a Redis implementation.
 *
 * @module
 */

import type { RoomMessage } from "../protocol.ts";

/** A connection that has joined a room. */
export interface RoomMember {
  /** Unique per connection (the connection id). */
  readonly id: string;
  /** Display name in the room. */
  readonly name: string;
  /** Sends one already-encoded server frame; must not throw for a closed socket. */
  send(encoded: string): void;
}

/** A room message before the hub gives it a room and a sequence number. */
export type MessageDraft = Omit<RoomMessage, "room" | "seq">;

/** What a joiner needs: the latest seq and the messages it has not seen. */
export interface HistorySnapshot {
  /** The room's latest sequence number at read time (0 if none yet). */
  latest: number;
  /** Retained messages, oldest first. */
  messages: RoomMessage[];
}

/**
 * Sequence numbers and bounded history of every room. `append` assigns the
 * next seq and stores the message atomically, so every seq up to `latest`
 * is in history (or was trimmed by retention).
 */
export interface RoomLog {
  /**
   * True when `append` also fans the message out (Redis does both in one
   * script, so pub/sub order is seq order); the hub then skips the bus.
   */
  readonly appendPublishes: boolean;
  /** Assigns the next seq, stores and trims; returns the stored message. */
  append(room: string, draft: MessageDraft): Promise<RoomMessage>;
  /** The last `count` messages (or those after `since` when given), plus the latest seq. */
  snapshot(
    room: string,
    options: { since?: number; count: number },
  ): Promise<HistorySnapshot>;
  /**
   * Raises the room's seq counter to at least `floor` (after the store lost
   * data, e.g. a Redis restart without persistence, so seqs keep growing for
   * members who saw higher ones); resolves to the latest seq.
   */
  raiseSeq(room: string, floor: number): Promise<number>;
  /** Retained messages with `after < seq <= upTo`, oldest first. */
  range(room: string, after: number, upTo: number): Promise<RoomMessage[]>;
  /** Releases the store (a no-op when it does not own it). */
  close(): Promise<void>;
}

/** Receives payloads the bus delivers for subscribed rooms. */
export type BusListener = (room: string, payload: string) => void;

/**
 * Fan-out between processes. A payload published to a room reaches every
 * subscriber of that room in every process, this one included.
 */
export interface Bus {
  /** Whether the bus can currently deliver. */
  readonly healthy: boolean;
  /** Sends `payload` to every subscriber of `room`; rejects when it cannot. */
  publish(room: string, payload: string): Promise<void>;
  /** Starts receiving `room`; resolves once subscribed. */
  subscribe(room: string): Promise<void>;
  /** Stops receiving `room`. */
  unsubscribe(room: string): Promise<void>;
  /** Sets the one listener (the hub). */
  listen(listener: BusListener): void;
  /** Called after a lost connection is back, so the hub can fill gaps. */
  onReconnect(callback: () => void): void;
  /** Closes connections and channels. */
  close(): Promise<void>;
}

/**
 * Who is online, counted across every process. Each process reports its own
 * local member count per room; the store sums them and broadcasts the total
 * as a `presence` frame when it changes.
 */
export interface PresenceStore {
  /**
   * True when the store itself broadcasts a `presence` frame on every change
   * (Redis does, inside its update script); otherwise the hub does.
   */
  readonly publishes: boolean;
  /** Records this process's count for `room`; resolves to the global total. */
  update(room: string, localCount: number): Promise<number>;
  /**
   * Re-asserts this process's liveness and counts for its rooms (on a timer),
   * so counts of a crashed process expire; resolves to fresh global totals.
   */
  heartbeat(
    localCounts: ReadonlyMap<string, number>,
  ): Promise<Map<string, number>>;
  /** Drops this process's counts (on shutdown). */
  close(): Promise<void>;
}
