/**
 * Preact signals fed by a `SocketClient`, so islands only render.
 *
 * Signals come from `@preact/signals` (which re-exports the framework-free
 * core), the same instance the islands' components subscribe through. Each
 * store returns `dispose()`, which unsubscribes it from the client.
 *
 * @module
 */

import { type ReadonlySignal, signal } from "@preact/signals";
import type { ErrorFrame, RoomMessage } from "../protocol.ts";
import type {
  ConnectionSnapshot,
  SocketClient,
  TrackedMessage,
} from "./socket_client.ts";

/** The connection snapshot as a signal. */
export interface ConnectionStore {
  connection: ReadonlySignal<ConnectionSnapshot>;
  dispose(): void;
}

/** Mirrors `client.snapshot` into a signal. */
export function connectionStore(client: SocketClient): ConnectionStore {
  const connection = signal(client.snapshot);
  const off = client.on("state", (snapshot) => connection.value = snapshot);
  return { connection, dispose: off };
}

/** The home page's list: the user's own messages and their results. */
export interface ChatStore {
  /** Oldest first; at most `limit`. */
  entries: ReadonlySignal<TrackedMessage[]>;
  /** The latest sentence for the aria-live region. */
  announcement: ReadonlySignal<string>;
  dispose(): void;
}

/** Tracks messages sent without a room; keeps the newest `limit`. */
export function chatStore(client: SocketClient, limit = 100): ChatStore {
  const entries = signal<TrackedMessage[]>([]);
  const announcement = signal("");
  const off = client.on("outgoing", (message) => {
    if (message.room !== undefined) return;
    entries.value = upsert(entries.value, message, limit);
    if (message.status === "done") {
      announcement.value = `Result: ${message.result}`;
    } else if (message.status === "failed") {
      announcement.value = `Failed: ${message.error?.message ?? "error"}`;
    }
  });
  return { entries, announcement, dispose: off };
}

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
      if (frame.id === undefined) problem.value = frame.message;
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

function upsert(
  list: TrackedMessage[],
  message: TrackedMessage,
  limit: number,
): TrackedMessage[] {
  if (list.some((m) => m.id === message.id)) {
    return list.map((m) => m.id === message.id ? message : m);
  }
  const next = [...list, message];
  return next.length > limit ? next.slice(-limit) : next;
}
