/**
 * Server configuration, read once from the environment and validated at
 * start. A bad value throws a {@linkcode ConfigError} naming the variable and
 * what it takes, so a typo stops the server instead of running it half-set.
 *
 * {@linkcode SETTINGS} lists every variable with its default and meaning; the
 * README's table is checked against it.
 *
 * @module
 */

/** Log levels, from most to least verbose; `silent` logs nothing. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

/** Which bus fans room messages out between server processes. */
export type BusKind = "local" | "redis" | "broadcast";

/** The validated configuration. */
export interface Config {
  port: number;
  processDelayMs: number;
  maxInFlight: number;
  workerPoolSize: number;
  workerQueueLimit: number;
  maxFrameBytes: number;
  maxTextLength: number;
  ratePerSecond: number;
  rateBurst: number;
  rateAbuseLimit: number;
  maxConnections: number;
  maxConnectionsPerIp: number;
  maxBufferedBytes: number;
  heartbeatMs: number;
  allowedOrigins: string[];
  accessToken?: string;
  trustProxy: boolean;
  /** Undefined: Deno's default KV (no path; no write permission needed). */
  kvPath?: string;
  /** Names this process in /healthz and /metrics. */
  instanceId: string;
  redisUrl?: string;
  bus: BusKind;
  historyOnJoin: number;
  historyLimit: number;
  seriesMaxPoints: number;
  shutdownTimeoutMs: number;
  logLevel: LogLevel;
  logBodies: boolean;
}

/** Thrown by {@linkcode loadConfig} for a missing or malformed setting. */
export class ConfigError extends Error {
  /** @param variable the environment variable at fault */
  constructor(readonly variable: string, message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** One documented setting: its variable, default (as text) and meaning. */
export interface Setting {
  name: string;
  default: string;
  description: string;
}

/** Every environment variable the server reads, in README order. */
export const SETTINGS: readonly Setting[] = [
  { name: "PORT", default: "8000", description: "HTTP port to listen on" },
  {
    name: "PROCESS_DELAY_MS",
    default: "2000",
    description: "Delay of the `upper` processor (the seed's fake heavy work)",
  },
  {
    name: "MAX_IN_FLIGHT",
    default: "16",
    description: "Messages processed at once per connection",
  },
  {
    name: "WORKER_POOL_SIZE",
    default: "CPU cores",
    description: "Workers running CPU-bound processors",
  },
  {
    name: "WORKER_QUEUE_LIMIT",
    default: "1024",
    description: "Jobs waiting for a worker before new ones are refused",
  },
  {
    name: "MAX_FRAME_BYTES",
    default: "65536",
    description: "Largest client frame; bigger ones close the socket (1009)",
  },
  {
    name: "MAX_TEXT_LENGTH",
    default: "2000",
    description: "Longest message text, in characters",
  },
  {
    name: "RATE_PER_SECOND",
    default: "20",
    description: "Frames per second a connection may send (token refill)",
  },
  {
    name: "RATE_BURST",
    default: "40",
    description: "Frames a connection may send in one burst (bucket size)",
  },
  {
    name: "RATE_ABUSE_LIMIT",
    default: "20",
    description: "`rate_limited` errors before the socket is closed (1008)",
  },
  {
    name: "MAX_CONNECTIONS",
    default: "10000",
    description: "Open sockets in all; more get 503",
  },
  {
    name: "MAX_CONNECTIONS_PER_IP",
    default: "200",
    description: "Open sockets per client address; more get 429",
  },
  {
    name: "MAX_BUFFERED_BYTES",
    default: "1048576",
    description: "Unsent bytes to a slow reader before it is closed (1013)",
  },
  {
    name: "HEARTBEAT_MS",
    default: "30000",
    description: "Ping interval; peers that do not answer are closed (0: off)",
  },
  {
    name: "ALLOWED_ORIGINS",
    default: "",
    description: "Comma list of extra origins allowed besides the page's own",
  },
  {
    name: "ACCESS_TOKEN",
    default: "",
    description:
      "When set, pages and sockets need the session cookie from /login or `Authorization: Bearer <token>` (docs/security.md)",
  },
  {
    name: "TRUST_PROXY",
    default: "false",
    description:
      "Take the client address from the last X-Forwarded-For hop (the one your proxy appends)",
  },
  {
    name: "KV_PATH",
    default: "",
    description:
      "Deno KV file for room history (`:memory:` allowed); empty: Deno's default KV, which needs no write permission (on Deno Deploy: the app's database)",
  },
  {
    name: "INSTANCE_ID",
    default: "random per process",
    description: "Name of this instance in /healthz and /metrics",
  },
  {
    name: "REDIS_URL",
    default: "",
    description: "Redis server for the shared bus, e.g. redis://127.0.0.1:6379",
  },
  {
    name: "BUS",
    default: "redis if REDIS_URL, else local",
    description: "Room bus: `local`, `redis` or `broadcast`",
  },
  {
    name: "HISTORY_ON_JOIN",
    default: "50",
    description: "Room messages sent on join without `since`",
  },
  {
    name: "HISTORY_LIMIT",
    default: "1000",
    description: "Room messages kept per room",
  },
  {
    name: "SERIES_MAX_POINTS",
    default: "10000",
    description: "Points kept per forecast series",
  },
  {
    name: "SHUTDOWN_TIMEOUT_MS",
    default: "10000",
    description: "How long shutdown waits for running jobs",
  },
  {
    name: "LOG_LEVEL",
    default: "info",
    description: "`debug`, `info`, `warn`, `error` or `silent`",
  },
  {
    name: "LOG_BODIES",
    default: "false",
    description: "Log message texts (off: bodies are never logged)",
  },
];

type Env = Record<string, string | undefined>;

function raw(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

function integer(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const text = raw(env, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || value < min || value > max) {
    throw new ConfigError(
      name,
      `${name} takes a whole number from ${min} to ${max}; got "${text}"`,
    );
  }
  return value;
}

function number(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = raw(env, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(
      name,
      `${name} takes a number from ${min} to ${max}; got "${text}"`,
    );
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const text = raw(env, name)?.toLowerCase();
  if (text === undefined) return fallback;
  if (["true", "1", "yes", "on"].includes(text)) return true;
  if (["false", "0", "no", "off"].includes(text)) return false;
  throw new ConfigError(
    name,
    `${name} takes true or false; got "${env[name]}"`,
  );
}

function oneOf<T extends string>(
  env: Env,
  name: string,
  fallback: T,
  choices: readonly T[],
): T {
  const text = raw(env, name);
  if (text === undefined) return fallback;
  if (!(choices as readonly string[]).includes(text)) {
    throw new ConfigError(
      name,
      `${name} takes one of ${choices.join(", ")}; got "${text}"`,
    );
  }
  return text as T;
}

function parseOrigin(text: string): string | undefined {
  try {
    const url = new URL(text);
    return /^https?:$/.test(url.protocol) ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

function origins(env: Env, name: string): string[] {
  const text = raw(env, name);
  if (text === undefined) return [];
  return text.split(",").map((item) => item.trim()).filter(Boolean).map(
    (item) => {
      const origin = parseOrigin(item);
      if (origin === undefined) {
        throw new ConfigError(
          name,
          `${name} takes a comma list of origins like https://example.com; got "${item}"`,
        );
      }
      return origin;
    },
  );
}

function redisUrl(env: Env, name: string): string | undefined {
  const text = raw(env, name);
  if (text === undefined) return undefined;
  let ok = false;
  try {
    ok = /^rediss?:$/.test(new URL(text).protocol);
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new ConfigError(
      name,
      `${name} takes a redis:// or rediss:// URL; got "${text}"`,
    );
  }
  return text;
}

function defaultPoolSize(): number {
  const cores = globalThis.navigator?.hardwareConcurrency;
  return typeof cores === "number" && cores > 0 ? cores : 2;
}

/**
 * Reads and validates every setting.
 *
 * @param env the environment to read; defaults to the process environment
 * @throws {ConfigError} naming the variable when a value is malformed
 */
export function loadConfig(env: Env = Deno.env.toObject()): Config {
  const redis = redisUrl(env, "REDIS_URL");
  const bus = oneOf<BusKind>(env, "BUS", redis ? "redis" : "local", [
    "local",
    "redis",
    "broadcast",
  ]);
  if (bus === "redis" && !redis) {
    throw new ConfigError("BUS", "BUS=redis needs REDIS_URL to be set");
  }
  const heartbeatMs = integer(env, "HEARTBEAT_MS", 30000, 0, 3_600_000);
  if (heartbeatMs !== 0 && heartbeatMs < 1000) {
    throw new ConfigError(
      "HEARTBEAT_MS",
      `HEARTBEAT_MS takes 0 (off) or a whole number from 1000 to 3600000; got "${heartbeatMs}"`,
    );
  }
  const rateBurst = integer(env, "RATE_BURST", 40, 1, 1_000_000);
  const accessToken = raw(env, "ACCESS_TOKEN");
  const kvPath = raw(env, "KV_PATH");
  return {
    port: integer(env, "PORT", 8000, 0, 65535),
    processDelayMs: integer(env, "PROCESS_DELAY_MS", 2000, 0, 600_000),
    maxInFlight: integer(env, "MAX_IN_FLIGHT", 16, 1, 100_000),
    workerPoolSize: integer(env, "WORKER_POOL_SIZE", defaultPoolSize(), 1, 256),
    workerQueueLimit: integer(env, "WORKER_QUEUE_LIMIT", 1024, 1, 10_000_000),
    maxFrameBytes: integer(env, "MAX_FRAME_BYTES", 65536, 128, 64 << 20),
    maxTextLength: integer(env, "MAX_TEXT_LENGTH", 2000, 1, 64 << 20),
    ratePerSecond: number(env, "RATE_PER_SECOND", 20, 0.01, 1_000_000),
    rateBurst,
    rateAbuseLimit: integer(env, "RATE_ABUSE_LIMIT", 20, 1, 1_000_000),
    maxConnections: integer(env, "MAX_CONNECTIONS", 10000, 1, 10_000_000),
    maxConnectionsPerIp: integer(
      env,
      "MAX_CONNECTIONS_PER_IP",
      200,
      1,
      10_000_000,
    ),
    maxBufferedBytes: integer(env, "MAX_BUFFERED_BYTES", 1048576, 1024),
    heartbeatMs,
    allowedOrigins: origins(env, "ALLOWED_ORIGINS"),
    ...(accessToken ? { accessToken } : {}),
    trustProxy: boolean(env, "TRUST_PROXY", false),
    ...(kvPath ? { kvPath } : {}),
    instanceId: raw(env, "INSTANCE_ID") ?? crypto.randomUUID().slice(0, 8),
    ...(redis ? { redisUrl: redis } : {}),
    bus,
    historyOnJoin: integer(env, "HISTORY_ON_JOIN", 50, 0, 100_000),
    historyLimit: integer(env, "HISTORY_LIMIT", 1000, 1, 10_000_000),
    seriesMaxPoints: integer(env, "SERIES_MAX_POINTS", 10000, 10, 10_000_000),
    shutdownTimeoutMs: integer(env, "SHUTDOWN_TIMEOUT_MS", 10000, 0, 600_000),
    logLevel: oneOf<LogLevel>(env, "LOG_LEVEL", "info", [
      "debug",
      "info",
      "warn",
      "error",
      "silent",
    ]),
    logBodies: boolean(env, "LOG_BODIES", false),
  };
}
