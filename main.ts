/// <reference no-default-lib="true" />
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference lib="dom.asynciterable" />
/// <reference lib="deno.ns" />

import { start } from "$fresh/server.ts";
import manifest from "./fresh.gen.ts";
import config from "./fresh.config.ts";
import { ConfigError, loadConfig } from "./lib/config.ts";
import { realtimeReady } from "./lib/server/instance.ts";
import type { RealtimeServer } from "./lib/server/realtime.ts";

// A bad setting stops the start with a message naming the variable.
try {
  loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`Configuration error: ${error.message}`);
  Deno.exit(1);
}

// Create the realtime server and open its rooms hub before serving: an
// unreachable REDIS_URL stops the start here, not on the first /ws request,
// and /healthz is accurate from the first request.
let realtime: RealtimeServer;
try {
  realtime = await realtimeReady();
} catch (error) {
  console.error(
    `Cannot start: ${error instanceof Error ? error.message : error}`,
  );
  Deno.exit(1);
}

// Extra time past SHUTDOWN_TIMEOUT_MS for closing sockets, the worker pool
// and the hub before the process gives up waiting and exits non-zero.
const SHUTDOWN_GRACE_MS = 5000;

const stopServing = new AbortController();
let stopping = false;

/**
 * `docker stop` sends SIGTERM, Ctrl-C and Deno Deploy SIGINT. Drain first
 * (new upgrades get 503, running jobs finish up to SHUTDOWN_TIMEOUT_MS,
 * sockets close with 1001 so islands reconnect elsewhere, pool and hub
 * close), then stop the HTTP listener; `start()` then returns and we exit 0.
 */
async function shutdown(signal: Deno.Signal): Promise<void> {
  if (stopping) return;
  stopping = true;
  const limit = realtime.config.shutdownTimeoutMs + SHUTDOWN_GRACE_MS;
  realtime.logger.info("signal", { signal, limitMs: limit });
  const giveUp = setTimeout(() => {
    realtime.logger.error("shutdown_timeout", { limitMs: limit });
    Deno.exit(1);
  }, limit);
  Deno.unrefTimer(giveUp);
  try {
    await realtime.shutdown();
  } catch (error) {
    realtime.logger.error("shutdown_failed", { error });
  }
  stopServing.abort();
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.addSignalListener(signal, () => void shutdown(signal));
}

try {
  await start(manifest, {
    ...config,
    server: { ...config.server, signal: stopServing.signal },
  });
} catch (error) {
  if (!(error instanceof Deno.errors.AddrInUse)) throw error;
  console.error(
    `Cannot start: port ${realtime.config.port} is already in use (set PORT to another)`,
  );
  Deno.exit(1);
}
Deno.exit(0);
