/**
 * The app's Content Security Policy. Pages opt in with
 * `export const config: RouteConfig = { csp: true }`; routes/_app.tsx calls
 * {@linkcode applyPagePolicy} through `useCSP`, and the runtime then adds the
 * render's nonce (and `'self'` for island bundles) to `script-src`. Pages the
 * runtime renders without a route config (the 404 and 500 pages) get the same
 * policy minus the nonce from routes/_middleware.ts, so no HTML leaves the
 * server without a policy, and an inline script without our nonce never runs.
 *
 * @module
 */

import type { ContentSecurityPolicy } from "$fresh/runtime.ts";

/** The directives of a page policy, kebab-case name → sources. */
export type PolicyDirectives = Record<string, string[]>;

// A host as the URL parser produces it, without characters that could end a
// CSP source list (";", ",", quotes, spaces).
const PLAIN_HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The WebSocket origins of the page at `url`: `wss://host`, plus `ws://host`
 * when the page itself came over http (a TLS proxy in front may still serve
 * it as https, hence both). Empty for a host that is not a plain name.
 */
export function socketSources(url: URL): string[] {
  if (!PLAIN_HOST.test(url.host)) return [];
  return url.protocol === "https:"
    ? [`wss://${url.host}`]
    : [`ws://${url.host}`, `wss://${url.host}`];
}

/**
 * The policy every page gets, before the runtime's nonce: scripts and styles
 * from this origin only, sockets to this origin, images from this origin or
 * `data:`, no plugins, no framing, no `<base>`, forms post here.
 */
export function pageDirectives(url: URL): PolicyDirectives {
  return {
    "default-src": ["'none'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'", ...socketSources(url)],
    "manifest-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
  };
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Replaces the runtime's starting policy (`default-src 'none'; style-src
 * 'unsafe-inline'`) with {@linkcode pageDirectives}; for `useCSP` in _app.
 */
export function applyPagePolicy(csp: ContentSecurityPolicy, url: URL): void {
  csp.reportOnly = false;
  const directives = csp.directives as Record<string, unknown>;
  for (const key of Object.keys(directives)) delete directives[key];
  for (const [name, sources] of Object.entries(pageDirectives(url))) {
    directives[camel(name)] = [...sources];
  }
}

/** Serializes directives as a header value. */
export function formatPolicy(directives: PolicyDirectives): string {
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${[...new Set(sources)].join(" ")}`)
    .join("; ");
}

/** The page policy without a nonce, for HTML the runtime sent without one. */
export function fallbackPagePolicy(url: URL): string {
  return formatPolicy(pageDirectives(url));
}

/** The policy of responses that are not pages (JSON, text, redirects). */
export const NON_PAGE_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** The policy of static SVG files: no script if one is opened directly. */
export const SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'";
