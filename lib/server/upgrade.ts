/**
 * Checks made before a request becomes a WebSocket: is it an upgrade, is its
 * Origin allowed, does it carry the access token. Each refusal is a plain-text
 * response that says what was wrong.
 *
 * @module
 */

import type { Config } from "../config.ts";
import { hasAccess } from "../security/access.ts";

export { timingSafeEqual } from "../security/access.ts";

/** A plain-text refusal. */
export function refusal(
  status: number,
  body: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(`${body}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

/** Whether the request asks for a WebSocket upgrade. */
export function isUpgrade(req: Request): boolean {
  return req.headers.get("upgrade")?.toLowerCase() === "websocket";
}

/**
 * Whether the request's Origin may open a socket: no Origin (a non-browser
 * client), the same host as the request, or one of ALLOWED_ORIGINS.
 */
export function originAllowed(req: Request, config: Config): boolean {
  const origin = req.headers.get("origin");
  if (origin === null) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.origin === "null") return false;
  if (config.allowedOrigins.includes(url.origin)) return true;
  const host = req.headers.get("host") ?? new URL(req.url).host;
  // Compare hosts only: behind a TLS proxy the request is http but the page https.
  return url.host.toLowerCase() === host.toLowerCase();
}

/**
 * Whether the request carries access when ACCESS_TOKEN is set: the session
 * cookie from /login or an `Authorization: Bearer` header, checked by the
 * same function as the page gate (lib/security/access.ts). Tokens in URLs
 * are not accepted: they end up in logs and histories.
 */
export function tokenAccepted(req: Request, config: Config): boolean {
  return hasAccess(req, config.accessToken);
}

/**
 * The client's address: with TRUST_PROXY, the last X-Forwarded-For hop, the
 * one our proxy appended (earlier hops come from the client and can be
 * forged); else the peer address.
 */
export function clientAddress(
  req: Request,
  remoteAddr: Deno.Addr | undefined,
  trustProxy: boolean,
): string {
  if (trustProxy) {
    const last = req.headers.get("x-forwarded-for")?.split(",").at(-1)?.trim();
    if (last) return last;
  }
  if (remoteAddr && "hostname" in remoteAddr) return remoteAddr.hostname;
  return "unknown";
}

/** Runs the header checks; returns the refusal, or undefined to go on. */
export function checkUpgradeRequest(
  req: Request,
  config: Config,
): Response | undefined {
  if (req.method !== "GET") {
    return refusal(
      405,
      "Method not allowed: /ws takes GET with Upgrade: websocket",
      {
        allow: "GET",
      },
    );
  }
  if (!isUpgrade(req)) {
    return refusal(
      400,
      "This endpoint speaks WebSocket only: connect with a WebSocket client (Upgrade: websocket)",
    );
  }
  if (!originAllowed(req, config)) {
    return refusal(403, "Origin not allowed");
  }
  if (!tokenAccepted(req, config)) {
    return refusal(
      401,
      "Access token required: sign in at /login (session cookie) or send an Authorization: Bearer header",
      { "www-authenticate": 'Bearer realm="ws"' },
    );
  }
  return undefined;
}
