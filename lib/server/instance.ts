/**
 * The process-wide {@linkcode RealtimeServer}, created on first use from the
 * environment, for routes (routes/ws.ts) to share: the rooms hub from
 * lib/rooms (KV history, local/Redis/BroadcastChannel bus) and forecast
 * series from lib/forecast.
 *
 * @module
 */

import { type Config, loadConfig } from "../config.ts";
import { createLogger } from "../log.ts";
import { createHub } from "../rooms/hub.ts";
import { WorkerPool } from "../processing/worker_pool.ts";
import { LazyHub } from "./lazy_hub.ts";
import { RealtimeServer } from "./realtime.ts";
import { createSeriesHandlerFactory } from "./series_handler.ts";

let instance: RealtimeServer | undefined;
let hub: LazyHub | undefined;

async function openHub(config: Config) {
  const kvPath = config.kvPath;
  if (config.bus !== "redis" && kvPath && kvPath !== ":memory:") {
    const slash = kvPath.lastIndexOf("/");
    if (slash > 0) {
      await Deno.mkdir(kvPath.slice(0, slash), { recursive: true });
    }
  }
  const logger = createLogger({ level: config.logLevel });
  return await createHub({
    kvPath: config.kvPath,
    redisUrl: config.redisUrl,
    bus: config.bus,
    historyOnJoin: config.historyOnJoin,
    historyLimit: config.historyLimit,
    log: (message) => logger.warn("hub_warning", { detail: message }),
  });
}

/** Builds a server from `config` with the real hub and forecast series. */
export function createRealtime(config: Config): {
  server: RealtimeServer;
  hub: LazyHub;
} {
  const logger = createLogger({
    level: config.logLevel,
    bodies: config.logBodies,
  });
  const pool = new WorkerPool({
    size: config.workerPoolSize,
    queueLimit: config.workerQueueLimit,
  });
  const lazy = new LazyHub(openHub(config));
  lazy.ready.catch((error) =>
    logger.error("hub_unavailable", { error, bus: config.bus })
  );
  const server = new RealtimeServer({
    config,
    logger,
    pool,
    hub: lazy,
    series: createSeriesHandlerFactory(pool, config, logger),
  });
  return { server, hub: lazy };
}

/** The shared realtime server, made from `loadConfig()` on first call. */
export function realtime(): RealtimeServer {
  if (!instance) {
    const created = createRealtime(loadConfig());
    instance = created.server;
    hub = created.hub;
  }
  return instance;
}

/**
 * Creates the shared server and waits for its rooms hub, so an entry point
 * can fail fast (e.g. an unreachable REDIS_URL) before serving.
 */
export async function realtimeReady(): Promise<RealtimeServer> {
  const server = realtime();
  await hub!.ready;
  return server;
}

/** Drains and stops the shared server, if one was made (for SIGTERM handlers). */
export async function shutdownRealtime(deadlineMs?: number): Promise<void> {
  await instance?.shutdown(deadlineMs);
}
