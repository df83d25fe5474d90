/**
 * Room sequence numbers and bounded history in Redis, shared by every server
 * process. One Lua script does INCR (seq), ZADD (history, score = seq),
 * trimming and PUBLISH (fan-out) atomically: Redis runs scripts one at a
 * time, so messages reach subscribers in seq order and a message is either
 * stored and published or neither.
 *
 * @module
 */

import type { RoomMessage } from "../protocol.ts";
import { decodeStored, encodeDraft } from "./payload.ts";
import { LuaScript, type RedisLink } from "./redis_link.ts";
import type { RedisKeys } from "./redis_keys.ts";
import type { HistorySnapshot, MessageDraft, RoomLog } from "./types.ts";

// KEYS: seq, history. ARGV: draft JSON (an object), limit, channel.
// Integers below 1e14 print exactly with Lua's %.14g.
const APPEND = new LuaScript(`
local seq = redis.call('INCR', KEYS[1])
local rest = string.sub(ARGV[1], 2)
redis.call('ZADD', KEYS[2], seq, '{"seq":' .. seq .. ',' .. rest)
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[2]) + 1))
redis.call('PUBLISH', ARGV[3], 'm' .. seq .. ' {"type":"message","seq":' .. seq .. ',' .. rest)
return seq
`);

// KEYS: seq, history. ARGV: 'since' | 'last', since or count.
const SNAPSHOT = new LuaScript(`
local latest = tonumber(redis.call('GET', KEYS[1]) or '0')
local messages
if ARGV[1] == 'since' then
  messages = redis.call('ZRANGE', KEYS[2], '(' .. ARGV[2], latest, 'BYSCORE')
elseif tonumber(ARGV[2]) > 0 then
  messages = redis.call('ZRANGE', KEYS[2], -tonumber(ARGV[2]), -1)
else
  messages = {}
end
return {latest, messages}
`);

// KEYS: seq. ARGV: floor.
const RAISE = new LuaScript(`
local latest = tonumber(redis.call('GET', KEYS[1]) or '0')
local floor = tonumber(ARGV[1])
if latest < floor then
  redis.call('SET', KEYS[1], ARGV[1])
  return floor
end
return latest
`);

/** A {@linkcode RoomLog} in Redis; `append` also publishes. */
export class RedisRoomLog implements RoomLog {
  readonly appendPublishes = true;
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;
  readonly #limit: number;

  constructor(link: RedisLink, keys: RedisKeys, historyLimit: number) {
    if (!Number.isInteger(historyLimit) || historyLimit < 1) {
      throw new RangeError("historyLimit must be a positive integer");
    }
    this.#link = link;
    this.#keys = keys;
    this.#limit = historyLimit;
  }

  async append(room: string, draft: MessageDraft): Promise<RoomMessage> {
    const seq = await APPEND.run<number>(
      this.#link.commands,
      [this.#keys.seq(room), this.#keys.history(room)],
      [encodeDraft(room, draft), String(this.#limit), this.#keys.channel(room)],
    );
    return {
      room,
      seq: Number(seq),
      id: draft.id,
      from: draft.from,
      text: draft.text,
      message: draft.message,
      time: draft.time,
      processor: draft.processor,
    };
  }

  async snapshot(
    room: string,
    options: { since?: number; count: number },
  ): Promise<HistorySnapshot> {
    const args = options.since === undefined
      ? ["last", String(Math.max(0, Math.floor(options.count)))]
      : ["since", String(options.since)];
    const [latest, stored] = await SNAPSHOT.run<[number, string[]]>(
      this.#link.commands,
      [this.#keys.seq(room), this.#keys.history(room)],
      args,
    );
    return { latest: Number(latest), messages: stored.map(decodeStored) };
  }

  async raiseSeq(room: string, floor: number): Promise<number> {
    const latest = await RAISE.run<number>(
      this.#link.commands,
      [this.#keys.seq(room)],
      [String(floor)],
    );
    return Number(latest);
  }

  async range(
    room: string,
    after: number,
    upTo: number,
  ): Promise<RoomMessage[]> {
    if (upTo <= after) return [];
    const stored = await this.#link.commands.sendCommand<string[]>([
      "ZRANGE",
      this.#keys.history(room),
      `(${after}`,
      Number.isFinite(upTo) ? String(upTo) : "+inf",
      "BYSCORE",
    ]);
    return stored.map(decodeStored);
  }

  close(): Promise<void> {
    // The link is closed by its owner (the hub).
    return Promise.resolve();
  }
}
