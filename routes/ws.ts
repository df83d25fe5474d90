/**
 * `/ws`: upgrades to the realtime WebSocket protocol (docs/protocol.md).
 * Other methods get 405 from the runtime.
 */

import type { Handlers } from "$fresh/server.ts";
import { realtime } from "../lib/server/instance.ts";

/** GET upgrades the request; refusals are plain-text 4xx/5xx responses. */
export const handler: Handlers = {
  GET: (req, ctx) => realtime().upgrade(req, ctx.remoteAddr),
};
