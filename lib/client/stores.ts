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

/** Replaces `message` in `list` by id, or appends it (keeping the last `limit`). */
export function upsert(
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
