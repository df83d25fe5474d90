/**
 * Fan-out over Redis pub/sub: one channel per room, subscribed while this
 * process has members there. The subscriber connection re-subscribes by
 * itself after a reconnect; `onReconnect` then lets the hub fill what it
 * missed from history.
 *
 * @module
 */

import type { RedisKeys } from "./redis_keys.ts";
import type { RedisLink } from "./redis_link.ts";
import type { Bus, BusListener } from "./types.ts";

/** A {@linkcode Bus} over Redis PUBLISH / SUBSCRIBE. */
export class RedisBus implements Bus {
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;
  readonly #rooms = new Set<string>();
  // Subscribe and unsubscribe of one room run in call order.
  readonly #queues = new Map<string, Promise<void>>();
  #listener: BusListener = () => {};
  readonly #onChannelMessage = (payload: string, channel: string) => {
    const room = this.#keys.roomOfChannel(channel);
    if (room !== undefined && this.#rooms.has(room)) {
      this.#listener(room, payload);
    }
  };

  constructor(link: RedisLink, keys: RedisKeys) {
    this.#link = link;
    this.#keys = keys;
  }

  get healthy(): boolean {
    return this.#link.healthy;
  }

  async publish(room: string, payload: string): Promise<void> {
    await this.#link.commands.publish(this.#keys.channel(room), payload);
  }

  #enqueue(room: string, operation: () => Promise<void>): Promise<void> {
    const previous = this.#queues.get(room) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(operation);
    this.#queues.set(room, next);
    const clear = () => {
      if (this.#queues.get(room) === next) this.#queues.delete(room);
    };
    next.then(clear, clear);
    return next;
  }

  subscribe(room: string): Promise<void> {
    return this.#enqueue(room, async () => {
      if (this.#rooms.has(room)) return;
      await this.#link.subscriber.subscribe(
        this.#keys.channel(room),
        this.#onChannelMessage,
      );
      this.#rooms.add(room);
    });
  }

  unsubscribe(room: string): Promise<void> {
    return this.#enqueue(room, async () => {
      if (!this.#rooms.delete(room)) return;
      await this.#link.subscriber.unsubscribe(
        this.#keys.channel(room),
        this.#onChannelMessage,
      );
    });
  }

  listen(listener: BusListener): void {
    this.#listener = listener;
  }

  onReconnect(callback: () => void): void {
    this.#link.onReconnect(callback);
  }

  async close(): Promise<void> {
    this.#rooms.clear();
    await Promise.allSettled([...this.#queues.values()]);
  }
}
