/**
 * Fan-out over `BroadcastChannel`, for Deno Deploy where isolates of one
 * deployment share a channel by name. In the Deno CLI a BroadcastChannel only
 * reaches other channels of the same process (other workers), so this is not
 * a way to scale out self-hosted processes: use Redis for that.
 *
 * One channel carries every room; messages are `[room, payload]` pairs and
 * each instance filters by the rooms it subscribed to. A BroadcastChannel
 * never delivers to its own sender, so publish also delivers locally.
 *
 * @module
 */

import type { Bus, BusListener } from "./types.ts";

/** The default channel name. */
export const DEFAULT_BROADCAST_CHANNEL = "rooms-v1";

/** A {@linkcode Bus} over one named `BroadcastChannel`. */
export class BroadcastBus implements Bus {
  readonly healthy = true;
  readonly #channel: BroadcastChannel;
  readonly #rooms = new Set<string>();
  #listener: BusListener = () => {};

  constructor(name: string = DEFAULT_BROADCAST_CHANNEL) {
    this.#channel = new BroadcastChannel(name);
    this.#channel.onmessage = (event: MessageEvent) => {
      const data = event.data;
      if (
        !Array.isArray(data) || typeof data[0] !== "string" ||
        typeof data[1] !== "string"
      ) {
        return;
      }
      if (this.#rooms.has(data[0])) this.#listener(data[0], data[1]);
    };
  }

  publish(room: string, payload: string): Promise<void> {
    this.#channel.postMessage([room, payload]);
    if (this.#rooms.has(room)) this.#listener(room, payload);
    return Promise.resolve();
  }

  subscribe(room: string): Promise<void> {
    this.#rooms.add(room);
    return Promise.resolve();
  }

  unsubscribe(room: string): Promise<void> {
    this.#rooms.delete(room);
    return Promise.resolve();
  }

  listen(listener: BusListener): void {
    this.#listener = listener;
  }

  onReconnect(_callback: () => void): void {
    // BroadcastChannel has no connection to lose.
  }

  close(): Promise<void> {
    this.#rooms.clear();
    this.#channel.close();
    return Promise.resolve();
  }
}
