/**
 * Presence across processes in Redis. Per room, a hash maps process id to
 * that process's member count; a sorted set maps process id to the time its
 * liveness expires (refreshed by the heartbeat). The update script sums the
 * counts of live processes, drops dead ones, and PUBLISHes a `presence`
 * frame on the room channel when the total changed, in the same atomic step.
 *
 * @module
 */

import type { RedisKeys } from "./redis_keys.ts";
import { LuaScript, type RedisLink } from "./redis_link.ts";
import type { PresenceStore } from "./types.ts";

// KEYS: presence hash, processes zset, online key.
// ARGV: process id, local count, ttl ms, channel, room as JSON.
const UPDATE = new LuaScript(`
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[1])
local count = tonumber(ARGV[2])
if count > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], count)
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
local fields = redis.call('HGETALL', KEYS[1])
local total = 0
for i = 1, #fields, 2 do
  local expires = redis.call('ZSCORE', KEYS[2], fields[i])
  if expires and tonumber(expires) > now then
    total = total + tonumber(fields[i + 1])
  else
    redis.call('HDEL', KEYS[1], fields[i])
  end
end
local previous = redis.call('GET', KEYS[3])
if total == 0 then
  redis.call('DEL', KEYS[3])
else
  redis.call('SET', KEYS[3], total)
end
if (previous or '0') ~= tostring(total) then
  redis.call('PUBLISH', ARGV[4], 'p' .. total .. ' {"type":"presence","room":' .. ARGV[5] .. ',"online":' .. total .. '}')
end
return total
`);

/** Options for {@linkcode RedisPresence}. */
export interface RedisPresenceOptions {
  /** This process's id. */
  processId: string;
  /** How long this process counts as alive without a heartbeat, in ms. */
  ttlMs: number;
}

/** A {@linkcode PresenceStore} in Redis; changes are published by Redis. */
export class RedisPresence implements PresenceStore {
  readonly publishes = true;
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;
  readonly #options: RedisPresenceOptions;
  readonly #rooms = new Set<string>();

  constructor(link: RedisLink, keys: RedisKeys, options: RedisPresenceOptions) {
    this.#link = link;
    this.#keys = keys;
    this.#options = options;
  }

  async update(room: string, localCount: number): Promise<number> {
    const total = await UPDATE.run<number>(
      this.#link.commands,
      [
        this.#keys.presence(room),
        this.#keys.processes(),
        this.#keys.online(room),
      ],
      [
        this.#options.processId,
        String(localCount),
        String(this.#options.ttlMs),
        this.#keys.channel(room),
        JSON.stringify(room),
      ],
    );
    if (localCount > 0) this.#rooms.add(room);
    else this.#rooms.delete(room);
    return Number(total);
  }

  async heartbeat(
    localCounts: ReadonlyMap<string, number>,
  ): Promise<Map<string, number>> {
    const totals = new Map<string, number>();
    for (const [room, count] of localCounts) {
      totals.set(room, await this.update(room, count));
    }
    // Forget processes long gone (an hour past expiry; clock skew is fine).
    await this.#link.commands.sendCommand([
      "ZREMRANGEBYSCORE",
      this.#keys.processes(),
      "-inf",
      String(Date.now() - 3_600_000),
    ]);
    return totals;
  }

  async close(): Promise<void> {
    if (!this.#link.healthy) return;
    for (const room of [...this.#rooms]) {
      await this.update(room, 0);
    }
    await this.#link.commands.sendCommand([
      "ZREM",
      this.#keys.processes(),
      this.#options.processId,
    ]);
  }
}
