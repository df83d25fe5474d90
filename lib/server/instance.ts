/**
 * The process-wide {@linkcode RealtimeServer}, created on first use from the
 * environment, for routes (routes/ws.ts) to share.
 *
 * @module
 */

import { loadConfig } from "../config.ts";
import { RealtimeServer } from "./realtime.ts";

let instance: RealtimeServer | undefined;

/** The shared realtime server, made from `loadConfig()` on first call. */
export function realtime(): RealtimeServer {
  instance ??= new RealtimeServer({ config: loadConfig() });
  return instance;
}
