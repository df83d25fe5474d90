/**
 * The room page's signals, fed by a `SocketClient` (kept apart from
 * stores.ts so the home page's bundle does not carry room code).
 *
 * @module
 */

import { type ReadonlySignal, signal } from "@preact/signals";
import type { ErrorFrame, RoomMessage } from "../protocol.ts";
import type { SocketClient, TrackedMessage } from "./socket_client.ts";
import { upsert } from "./stores.ts";

/** One room as seen by this client. */
export interface RoomStore {
  /** Room messages in seq order, each once; at most `limit`. */
  messages: ReadonlySignal<RoomMessage[]>;
  /** This client's messages to the room that are not in `messages` yet, or failed. */
  outbox: ReadonlySignal<TrackedMessage[]>;
  online: ReadonlySignal<number>;
  /** Whether the room is joined on the current connection. */
  joined: ReadonlySignal<boolean>;
  /** The latest error not tied to a message (a rejected join, say). */
  problem: ReadonlySignal<string | null>;
  /** The latest sentence for the aria-live region. */
  announcement: ReadonlySignal<string>;
  dispose(): void;
}

/** Follows `room` on `client` (the caller joins; this only listens). */
export function roomStore(
  client: SocketClient,
  room: string,
  limit = 500,
): RoomStore {
  const messages = signal<RoomMessage[]>([]);
  const outbox = signal<TrackedMessage[]>([]);
  const online = signal(client.online(room));
  const joined = signal(false);
  const problem = signal<string | null>(null);
  const announcement = signal("");
  const offs = [
    client.on("message", (message) => {
      if (message.room !== room) return;
      const next = [...messages.value, message];
      // the client hands them over in seq order; sort only if the server did not
      if (next.length > 1 && next.at(-2)!.seq > message.seq) {
        next.sort((a, b) => a.seq - b.seq);
      }
      messages.value = next.length > limit ? next.slice(-limit) : next;
      announcement.value = `${message.from}: ${message.message}`;
    }),
    client.on("outgoing", (message) => {
      if (message.room !== room) return;
      outbox.value = message.status === "done"
        ? outbox.value.filter((m) => m.id !== message.id)
        : upsert(outbox.value, message, limit);
      if (message.status === "failed") {
        announcement.value = `Not delivered: ${message.error?.message}`;
      }
    }),
    client.on("joined", (frame) => {
      if (frame.room !== room) return;
      // A log that restarted below what we show: drop the old messages.
      if (messages.value.some((m) => m.seq > frame.seq)) messages.value = [];
      joined.value = true;
      problem.value = null;
    }),
    client.on("presence", (frame) => {
      if (frame.room === room) online.value = frame.online;
    }),
    client.on("state", (snapshot) => {
      if (snapshot.state !== "open") joined.value = false;
    }),
    client.on("error", (frame: ErrorFrame) => {
      // Errors about another room (joins carry the room) are not ours.
      if (frame.id === undefined && (frame.room ?? room) === room) {
        problem.value = frame.message;
      }
    }),
  ];
  return {
    messages,
    outbox,
    online,
    joined,
    problem,
    announcement,
    dispose: () => offs.forEach((off) => off()),
  };
}
