/// <reference no-default-lib="true" />
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference lib="dom.asynciterable" />
/// <reference lib="deno.ns" />

import { start } from "$fresh/server.ts";
import manifest from "./fresh.gen.ts";
import config from "./fresh.config.ts";
import { realtimeReady, shutdownRealtime } from "./lib/server/instance.ts";

// Open the rooms hub before serving: a bad REDIS_URL stops the start with a
// clear error, and /healthz is accurate from the first request.
await realtimeReady();

// `docker stop` sends SIGTERM, Deno Deploy SIGINT: drain sockets (close 1001)
// and let running jobs finish before the process ends.
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.addSignalListener(signal, async () => {
    await shutdownRealtime();
    Deno.exit(0);
  });
}

await start(manifest, config);
