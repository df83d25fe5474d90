/**
 * What the connection needs from the rooms hub (lib/rooms/hub.ts), declared
 * here so the server depends on a shape, not on the module, and can run
 * without rooms.
 *
 * @module
 */

import type { JoinedFrame, RoomMessage } from "../protocol.ts";

/** A connection as a room member. */
export interface RoomMember {
  /** The connection id. */
  id: string;
  /** Display name in this room. */
  name: string;
  /** Sends an already-encoded server frame to this member. */
  send(encoded: string): void;
}

/** A room message before the hub gives it a room and a sequence number. */
export type RoomDraft = Omit<RoomMessage, "room" | "seq">;

/** Rooms: membership, history and fan-out. */
export interface RoomHub {
  /** Adds `member` and returns the `joined` frame (history after `since`). */
  join(room: string, member: RoomMember, since?: number): Promise<JoinedFrame>;
  /** Removes `member`. */
  leave(room: string, member: RoomMember): Promise<unknown>;
  /** Stores and fans out a message; rejects when it cannot. */
  publish(room: string, draft: RoomDraft): Promise<RoomMessage>;
  /** Members online in `room`. */
  online(room: string): number;
  /** Releases the bus and storage. */
  close(): Promise<void>;
  /** "degraded" while the shared bus is unreachable (for /healthz). */
  status?(): "ok" | "degraded";
  /** Rooms with members on this process (for /healthz and /metrics). */
  rooms?(): number;
  /** Times the bus came back after a lost connection (for /metrics). */
  reconnects?(): number;
}
