/**
 * Redis key and channel names for rooms, under one prefix so several apps
 * (or tests) can share a Redis.
 *
 * @module
 */

/** The default key prefix. */
export const DEFAULT_REDIS_PREFIX = "rooms:";

/** Key and channel names under a prefix. */
export class RedisKeys {
  constructor(readonly prefix: string = DEFAULT_REDIS_PREFIX) {}

  /** The room's sequence counter (INCR). */
  seq(room: string): string {
    return `${this.prefix}{${room}}:seq`;
  }

  /** The room's history (sorted set, score = seq). */
  history(room: string): string {
    return `${this.prefix}{${room}}:history`;
  }

  /** The room's per-process member counts (hash). */
  presence(room: string): string {
    return `${this.prefix}{${room}}:presence`;
  }

  /** The room's last broadcast online total. */
  online(room: string): string {
    return `${this.prefix}{${room}}:online`;
  }

  /** The pub/sub channel of the room. */
  channel(room: string): string {
    return `${this.prefix}{${room}}:bus`;
  }

  /** Live processes (sorted set, score = expiry time in ms). */
  processes(): string {
    return `${this.prefix}processes`;
  }

  /** The room a channel name belongs to, or undefined. */
  roomOfChannel(channel: string): string | undefined {
    const start = this.prefix.length + 1;
    if (!channel.startsWith(`${this.prefix}{`) || !channel.endsWith("}:bus")) {
      return undefined;
    }
    return channel.slice(start, channel.length - "}:bus".length);
  }
}
