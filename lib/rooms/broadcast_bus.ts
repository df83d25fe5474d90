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

import { LocalBus } from "./local_bus.ts";

/** The default channel name. */
export const DEFAULT_BROADCAST_CHANNEL = "rooms-v1";

/**
 * A {@linkcode Bus} over one named `BroadcastChannel`: the local bus's
 * delivery plus a post to the other isolates.
 */
export class BroadcastBus extends LocalBus {
  readonly #channel: BroadcastChannel;

  constructor(name: string = DEFAULT_BROADCAST_CHANNEL) {
    super();
    this.#channel = new BroadcastChannel(name);
    this.#channel.onmessage = (event: MessageEvent) => {
      const data = event.data;
      if (
        !Array.isArray(data) || typeof data[0] !== "string" ||
        typeof data[1] !== "string"
      ) {
        return;
      }
      this.deliver(data[0], data[1]);
    };
  }

  override publish(room: string, payload: string): Promise<void> {
    this.#channel.postMessage([room, payload]);
    return super.publish(room, payload);
  }

  override close(): Promise<void> {
    this.#channel.close();
    return super.close();
  }
}
