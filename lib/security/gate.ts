/**
 * The page gate for ACCESS_TOKEN: which requests need a session and what a
 * request without one gets. WebSocket upgrades are checked by the realtime
 * server itself (lib/server/upgrade.ts) with the same {@linkcode hasAccess}.
 *
 * @module
 */

import { hasAccess } from "./access.ts";
import type { Destination } from "./headers.ts";

/** Paths open without a session: sign-in/out and the health check. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set([
  "/login",
  "/logout",
  "/healthz",
]);

/** Paths for machines: they get 401 instead of a redirect to the form. */
export const MACHINE_PATHS: ReadonlySet<string> = new Set(["/metrics", "/ws"]);

/**
 * The answer to a request that lacks access, or undefined to let it through.
 * Bundles and static files are public (they hold no data; the sign-in page
 * needs the stylesheet). A page asked for with GET/HEAD is redirected (303)
 * to /login with the path to come back to; anything else gets 401.
 */
export function gate(
  req: Request,
  url: URL,
  destination: Destination,
  token: string | undefined,
): Response | undefined {
  if (!token) return undefined;
  if (destination === "static" || destination === "internal") return undefined;
  if (PUBLIC_PATHS.has(url.pathname)) return undefined;
  if (hasAccess(req, token)) return undefined;
  const page = req.method === "GET" || req.method === "HEAD";
  if (page && !MACHINE_PATHS.has(url.pathname)) {
    const next = url.pathname + url.search;
    const location = next === "/"
      ? "/login"
      : `/login?next=${encodeURIComponent(next)}`;
    return new Response(null, {
      status: 303,
      headers: { location, "cache-control": "no-store" },
    });
  }
  return new Response(
    "Access token required: sign in at /login, or send Authorization: Bearer <token>\n",
    {
      status: 401,
      headers: {
        "content-type": "text/plain; charset=utf-8",
        "www-authenticate": 'Bearer realm="app"',
        "cache-control": "no-store",
      },
    },
  );
}
