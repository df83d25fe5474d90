/**
 * Runs before every request: the ACCESS_TOKEN gate (lib/security/gate.ts),
 * then security headers on the answer (lib/security/headers.ts). WebSocket
 * upgrades pass untouched: /ws checks origin and token itself, and a 101
 * response's headers belong to the socket.
 */

import type { FreshContext } from "$fresh/server.ts";
import { realtime } from "../lib/server/instance.ts";
import { isUpgrade } from "../lib/server/upgrade.ts";
import { gate } from "../lib/security/gate.ts";
import { withSecurityHeaders } from "../lib/security/headers.ts";

/** The gate, then the route, then the headers. */
export async function handler(
  req: Request,
  ctx: FreshContext,
): Promise<Response> {
  // Only /ws may skip the gate: an Upgrade header on a page path must not
  // open the page without a session.
  if (isUpgrade(req) && ctx.url.pathname === "/ws") return await ctx.next();
  const { accessToken } = realtime().config;
  const destination = ctx.destination;
  const response = gate(req, ctx.url, destination, accessToken) ??
    await ctx.next();
  return withSecurityHeaders(response, ctx.url, destination);
}
