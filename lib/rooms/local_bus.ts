/**
 * The in-process bus: one server process, no fan-out between processes.
 *
 * @module
 */

import type { Bus, BusListener } from "./types.ts";

/** A {@linkcode Bus} that delivers synchronously inside this process. */
export class LocalBus implements Bus {
  readonly healthy = true;
  readonly #rooms = new Set<string>();
  #listener: BusListener = () => {};

  publish(room: string, payload: string): Promise<void> {
    this.deliver(room, payload);
    return Promise.resolve();
  }

  /** Hands `payload` to the listener if this process subscribed to `room`. */
  protected deliver(room: string, payload: string): void {
    if (this.#rooms.has(room)) this.#listener(room, payload);
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
    // Never disconnects.
  }

  close(): Promise<void> {
    this.#rooms.clear();
    return Promise.resolve();
  }
}
