/**
 * The two Redis connections a hub needs (one for commands and PUBLISH, one
 * in subscriber mode), with startup checks, reconnect backoff and health.
 *
 * - At start, an unreachable Redis rejects `RedisLink.connect` with a
 *   {@linkcode RedisUnavailableError} naming `REDIS_URL` (no retries).
 * - Once connected, a lost connection is retried forever with capped,
 *   jittered exponential backoff; commands fail fast meanwhile (offline
 *   queue disabled), so callers can answer `bus_unavailable` right away.
 * - Every client 'error' event is handled (logged once per outage), so a
 *   Redis outage never crashes the process.
 *
 * @module
 */

import { createClient } from "redis";
import { RedisUnavailableError } from "./errors.ts";

type Client = ReturnType<typeof createClient>;

/** Options for {@linkcode RedisLink.connect}. */
export interface RedisLinkOptions {
  /** Milliseconds to wait for the first connection (default 3000). */
  connectTimeoutMs?: number;
  /** Longest wait between reconnect attempts, ms (default 2000). */
  maxBackoffMs?: number;
  /** Reports state changes; defaults to console.warn. */
  log?: (message: string) => void;
}

/** Hides the password of a Redis URL for messages. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}

/** A pair of Redis clients sharing one health state. */
export class RedisLink {
  /** For commands, scripts and PUBLISH. */
  readonly commands: Client;
  /** In subscriber mode (SUBSCRIBE/UNSUBSCRIBE only). */
  readonly subscriber: Client;
  readonly #url: string;
  readonly #log: (message: string) => void;
  readonly #reconnectCallbacks: Array<() => void> = [];
  #lost = false;
  #closed = false;

  private constructor(
    url: string,
    commands: Client,
    subscriber: Client,
    log: (message: string) => void,
  ) {
    this.#url = url;
    this.commands = commands;
    this.subscriber = subscriber;
    this.#log = log;
  }

  /** Connects both clients or rejects with a clear error naming REDIS_URL. */
  static async connect(
    url: string,
    options: RedisLinkOptions = {},
  ): Promise<RedisLink> {
    const log = options.log ?? ((message) => console.warn(message));
    const maxBackoff = options.maxBackoffMs ?? 2000;
    let started = false;
    const make = (name: string) =>
      createClient({
        url,
        name,
        disableOfflineQueue: true,
        socket: {
          connectTimeout: options.connectTimeoutMs ?? 3000,
          reconnectStrategy: (retries: number) => {
            if (!started) return false;
            const base = Math.min(maxBackoff, 50 * 2 ** Math.min(retries, 10));
            return Math.round(base / 2 + Math.random() * base / 2);
          },
        },
      });
    let commands: Client;
    let subscriber: Client;
    try {
      commands = make("rooms-commands");
      subscriber = make("rooms-subscriber");
    } catch (error) {
      throw new RedisUnavailableError(
        `REDIS_URL=${redactRedisUrl(url)} is not a usable Redis URL: ${
          describe(error)
        }`,
        { cause: error },
      );
    }
    // Errors before the link exists are reported by the rejection below.
    // (It stays attached: removing it with off() also silenced later
    // listeners in redis@5 under Deno.)
    const swallow = () => {};
    commands.on("error", swallow);
    subscriber.on("error", swallow);
    try {
      await Promise.all([commands.connect(), subscriber.connect()]);
    } catch (error) {
      for (const client of [commands, subscriber]) {
        try {
          client.destroy();
        } catch { /* never connected */ }
      }
      throw new RedisUnavailableError(
        `Cannot reach Redis at REDIS_URL=${redactRedisUrl(url)}: ${
          describe(error)
        }`,
        { cause: error },
      );
    }
    started = true;
    const link = new RedisLink(url, commands, subscriber, log);
    link.#watch(commands);
    link.#watch(subscriber);
    return link;
  }

  #watch(client: Client): void {
    client.on("error", (error: unknown) => this.#markLost(describe(error)));
    client.on("reconnecting", () => this.#markLost("reconnecting"));
    client.on("ready", () => {
      if (this.#closed || !this.healthy) return;
      if (this.#lost) {
        this.#lost = false;
        this.#log(`Redis connection restored (${redactRedisUrl(this.#url)})`);
      }
      for (const callback of this.#reconnectCallbacks) {
        try {
          callback();
        } catch (error) {
          this.#log(`Redis reconnect handler failed: ${describe(error)}`);
        }
      }
    });
  }

  #markLost(reason: string): void {
    if (this.#closed || this.#lost) return;
    this.#lost = true;
    this.#log(
      `Redis connection lost (${
        redactRedisUrl(this.#url)
      }): ${reason}; serving local members, retrying`,
    );
  }

  /** Whether both connections are up. */
  get healthy(): boolean {
    return !this.#closed && this.commands.isReady && this.subscriber.isReady;
  }

  /** Runs `callback` each time both connections are up again after a loss. */
  onReconnect(callback: () => void): void {
    this.#reconnectCallbacks.push(callback);
  }

  /** Closes both connections (quickly if Redis is down). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.commands, this.subscriber].map(async (client) => {
      try {
        if (client.isReady) await client.close();
        else client.destroy();
      } catch {
        try {
          client.destroy();
        } catch { /* already closed */ }
      }
    }));
  }
}

/** A one-line description of an error (AggregateErrors included). */
export function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(describe).join("; ");
  }
  if (error instanceof Error) {
    return error.message || error.name;
  }
  return String(error);
}

/** A Lua script run with EVALSHA, loaded with EVAL on first use (NOSCRIPT). */
export class LuaScript {
  readonly source: string;
  #sha: Promise<string> | undefined;

  constructor(source: string) {
    this.source = source;
  }

  #digest(): Promise<string> {
    this.#sha ??= crypto.subtle.digest(
      "SHA-1",
      new TextEncoder().encode(this.source),
    ).then((buffer) =>
      Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0"))
        .join("")
    );
    return this.#sha;
  }

  /** Runs the script with `keys` and `args` on `client`. */
  async run<T>(client: Client, keys: string[], args: string[]): Promise<T> {
    const sha = await this.#digest();
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await client.sendCommand<T>(["EVALSHA", sha, ...tail]);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) {
        throw error;
      }
      return await client.sendCommand<T>(["EVAL", this.source, ...tail]);
    }
  }
}
