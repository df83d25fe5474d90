/**
 * Runs a {@linkcode RealtimeServer} behind a bare `Deno.serve` on port 0, the
 * way routes/ws.ts uses it, for integration tests of /ws.
 *
 * @module
 */

import { loadConfig } from "../../lib/config.ts";
import {
  type RealtimeOptions,
  RealtimeServer,
} from "../../lib/server/realtime.ts";

/** A running test server. */
export interface TestRealtime {
  realtime: RealtimeServer;
  /** `ws://127.0.0.1:<port>/ws` */
  wsUrl: string;
  /** `http://127.0.0.1:<port>/ws` */
  httpUrl: string;
  port: number;
  /** Shuts the realtime server down, then the HTTP server. */
  close(): Promise<void>;
}

/** Quiet, fast defaults for tests; `env` overrides them. */
export const TEST_ENV: Record<string, string> = {
  LOG_LEVEL: "silent",
  PROCESS_DELAY_MS: "50",
  WORKER_POOL_SIZE: "2",
  KV_PATH: ":memory:",
  SHUTDOWN_TIMEOUT_MS: "500",
};

/** Starts a server; `env` is read by `loadConfig` over {@linkcode TEST_ENV}. */
export function startRealtime(
  env: Record<string, string> = {},
  options: Omit<RealtimeOptions, "config"> = {},
): TestRealtime {
  const config = loadConfig({ ...TEST_ENV, ...env });
  const realtime = new RealtimeServer({ ...options, config });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req, info) => {
      const url = new URL(req.url);
      if (url.pathname !== "/ws") {
        return new Response("Not found", { status: 404 });
      }
      return realtime.upgrade(req, info.remoteAddr);
    },
  );
  const port = server.addr.port;
  return {
    realtime,
    port,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    httpUrl: `http://127.0.0.1:${port}/ws`,
    async close() {
      await realtime.shutdown(100);
      await server.shutdown();
    },
  };
}
