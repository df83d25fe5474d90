/**
 * A {@linkcode RoomHub} whose real hub is still being created (createHub is
 * async: it may connect to Redis or open Deno KV). Calls wait for it; if it
 * failed, room calls reject, so clients get `bus_unavailable` instead of a
 * dead server.
 *
 * @module
 */

import type { JoinedFrame, RoomMessage } from "../protocol.ts";
import type { RoomDraft, RoomHub, RoomMember } from "./room_hub.ts";

/** Forwards to a hub once `pending` resolves. */
export class LazyHub implements RoomHub {
  #hub?: RoomHub;
  readonly ready: Promise<RoomHub>;

  /** @param pending the hub being created */
  constructor(pending: Promise<RoomHub>) {
    this.ready = pending.then((hub) => this.#hub = hub);
    // Failures surface on each call (and to whoever awaits `ready`).
    this.ready.catch(() => {});
  }

  async join(
    room: string,
    member: RoomMember,
    since?: number,
  ): Promise<JoinedFrame> {
    return await (this.#hub ?? await this.ready).join(room, member, since);
  }

  async leave(room: string, member: RoomMember): Promise<unknown> {
    return await (this.#hub ?? await this.ready).leave(room, member);
  }

  async publish(room: string, draft: RoomDraft): Promise<RoomMessage> {
    return await (this.#hub ?? await this.ready).publish(room, draft);
  }

  online(room: string): number {
    return this.#hub?.online(room) ?? 0;
  }

  /** "degraded" until the hub exists, and whenever its bus is down (/healthz). */
  status(): "ok" | "degraded" {
    return this.#hub?.status?.() ?? (this.#hub ? "ok" : "degraded");
  }

  /** Rooms with members on this process (/healthz, /metrics). */
  rooms(): number {
    return this.#hub?.rooms?.() ?? 0;
  }

  /** Times the bus came back after a lost connection (/metrics). */
  reconnects(): number {
    return this.#hub?.reconnects?.() ?? 0;
  }

  async close(): Promise<void> {
    const hub = this.#hub ?? await this.ready.catch(() => undefined);
    await hub?.close();
  }
}
