/**
 * Response headers every HTTP answer gets (WebSocket upgrades excepted: their
 * 101 response is the socket's and is left alone).
 *
 * @module
 */

import { fallbackPagePolicy, NON_PAGE_POLICY, SVG_POLICY } from "./csp.ts";

/** Headers set on every response, page or not. */
export const COMMON_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  // Nothing leaves for other sites; same-origin requests keep their Origin
  // (under no-referrer, browsers send `Origin: null` on form posts).
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "permissions-policy":
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), " +
    "display-capture=(), fullscreen=(self)",
};

/** Where a response came from, as the runtime names its destinations. */
export type Destination = "internal" | "static" | "route" | "notFound";

function isHtml(headers: Headers): boolean {
  return /^text\/html\b/i.test(headers.get("content-type") ?? "");
}

function isSvg(headers: Headers): boolean {
  return /^image\/svg\+xml\b/i.test(headers.get("content-type") ?? "");
}

/**
 * Adds the security headers to `response` and returns it (or a copy, when
 * its headers are immutable, as for `Response.redirect`). A page the runtime
 * rendered without a CSP (404, 500) gets the page policy without a nonce;
 * other route answers (JSON, text, redirects) get a policy that allows
 * nothing. Bundles and static files keep their own semantics, with nosniff.
 */
export function withSecurityHeaders(
  response: Response,
  url: URL,
  destination: Destination,
): Response {
  if (response.status === 101) return response;
  let target = response;
  try {
    target.headers.set("x-content-type-options", "nosniff");
  } catch {
    target = new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers: new Headers(response.headers),
    });
  }
  const headers = target.headers;
  for (const [name, value] of Object.entries(COMMON_HEADERS)) {
    headers.set(name, value);
  }
  const hasPolicy = headers.has("content-security-policy") ||
    headers.has("content-security-policy-report-only");
  if (!hasPolicy) {
    if (isHtml(headers)) {
      headers.set("content-security-policy", fallbackPagePolicy(url));
    } else if (destination === "route" || destination === "notFound") {
      headers.set("content-security-policy", NON_PAGE_POLICY);
    } else if (isSvg(headers)) {
      headers.set("content-security-policy", SVG_POLICY);
    }
  }
  return target;
}
