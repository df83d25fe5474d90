/**
 * The optional access token (ACCESS_TOKEN): one check shared by the page gate
 * (routes/_middleware.ts) and the WebSocket upgrade (lib/server/upgrade.ts).
 *
 * A browser signs in once at /login and then carries a session cookie whose
 * value is HMAC-SHA-256("realtime-session-v1") keyed by the token: the raw
 * token never sits in a cookie, and rotating ACCESS_TOKEN invalidates every
 * session. Non-browser clients may send `Authorization: Bearer <token>`.
 * Tokens in URLs are never accepted (they end up in logs and histories).
 *
 * The derivation uses node:crypto's synchronous HMAC (the same construction
 * crypto.subtle would compute) because the upgrade check runs synchronously
 * inside `RealtimeServer.upgrade`; the result is computed once per token.
 *
 * @module
 */

import { createHmac } from "node:crypto";

/** Name of the session cookie set by /login. */
export const SESSION_COOKIE = "access_session";

/** Lifetime of the session cookie, in seconds (7 days). */
export const SESSION_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;

/** The fixed label the session value is derived from. */
const SESSION_LABEL = "realtime-session-v1";

const encoder = new TextEncoder();

/** Compares two secrets in time independent of where they differ. */
export function timingSafeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  const length = Math.max(left.length, right.length);
  let difference = left.length ^ right.length;
  for (let i = 0; i < length; i++) {
    difference |= (left[i] ?? 0) ^ (right[i] ?? 0);
  }
  return difference === 0;
}

let memo: { token: string; value: string } | undefined;

/**
 * The session cookie value for `token`: base64url of
 * HMAC-SHA-256(key = token, message = a fixed label).
 */
export function sessionValue(token: string): string {
  if (memo?.token !== token) {
    const value = createHmac("sha256", token).update(SESSION_LABEL).digest(
      "base64url",
    );
    memo = { token, value };
  }
  return memo.value;
}

/** The value of cookie `name` in the request, if present. */
export function cookieValue(req: Request, name: string): string | undefined {
  const header = req.headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const index = part.indexOf("=");
    if (index < 0) continue;
    if (part.slice(0, index).trim() === name) {
      return part.slice(index + 1).trim();
    }
  }
  return undefined;
}

/** The Bearer credential of the request, if it has one. */
function bearer(req: Request): string | undefined {
  return req.headers.get("authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
}

/** Whether the request carries a valid session cookie for `token`. */
export function hasSession(req: Request, token: string): boolean {
  const cookie = cookieValue(req, SESSION_COOKIE);
  return cookie !== undefined && timingSafeEqual(cookie, sessionValue(token));
}

/**
 * Whether the request may pass: always when no token is configured, else
 * with the session cookie from /login or `Authorization: Bearer <token>`.
 */
export function hasAccess(req: Request, token: string | undefined): boolean {
  if (!token) return true;
  if (hasSession(req, token)) return true;
  const credential = bearer(req);
  return credential !== undefined && timingSafeEqual(credential, token);
}

/**
 * Whether the request came over HTTPS: its own URL, or, behind a trusted
 * proxy (TRUST_PROXY), `X-Forwarded-Proto: https` as the proxy set it (the
 * last value, like the client address in X-Forwarded-For).
 */
export function isHttps(req: Request, trustProxy: boolean): boolean {
  if (new URL(req.url).protocol === "https:") return true;
  if (!trustProxy) return false;
  const proto = req.headers.get("x-forwarded-proto")?.split(",").at(-1)?.trim();
  return proto?.toLowerCase() === "https";
}

/** The `Set-Cookie` value that signs the browser in. */
export function sessionCookie(token: string, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${sessionValue(token)}`,
    "Path=/",
    `Max-Age=${SESSION_MAX_AGE_SECONDS}`,
    "HttpOnly",
    "SameSite=Strict",
    ...(secure ? ["Secure"] : []),
  ].join("; ");
}

/** The `Set-Cookie` value that signs the browser out. */
export function clearedSessionCookie(secure: boolean): string {
  return [
    `${SESSION_COOKIE}=`,
    "Path=/",
    "Max-Age=0",
    "HttpOnly",
    "SameSite=Strict",
    ...(secure ? ["Secure"] : []),
  ].join("; ");
}

/**
 * A same-site path to return to after sign-in, or `/`. Only relative paths
 * on this origin pass: no scheme, no `//host`, no backslash tricks, and never
 * /login itself (no open redirect, no loop).
 */
export function safeReturnPath(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//")) return "/";
  // Browsers treat "\" like "/" in URLs, and control characters are stripped.
  for (const char of next) {
    const code = char.charCodeAt(0);
    if (char === "\\" || code < 0x20 || code === 0x7f) return "/";
  }
  let url: URL;
  try {
    url = new URL(next, "http://same.invalid");
  } catch {
    return "/";
  }
  if (url.origin !== "http://same.invalid") return "/";
  // Dot segments collapse during parsing ("/.//evil.com" becomes
  // "//evil.com"), so the parsed path is checked again.
  if (url.pathname.startsWith("//")) return "/";
  if (url.pathname === "/login" || url.pathname === "/logout") return "/";
  return url.pathname + url.search + url.hash;
}

/**
 * Whether a state-changing request (a form POST) comes from this site.
 * `Sec-Fetch-Site`, when the browser sends it, must be same-origin (or none:
 * typed by the user); `Origin`, when sent, must name this host, and may be
 * "null" only alongside `Sec-Fetch-Site: same-origin` (a privacy setting can
 * blank it). Clients that send neither are not browsers and cannot be
 * tricked into a cross-site request.
 */
export function isSameOriginPost(req: Request): boolean {
  const site = req.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") return false;
  const origin = req.headers.get("origin");
  if (origin === null) return true;
  if (origin === "null") return site === "same-origin";
  const host = req.headers.get("host") ?? new URL(req.url).host;
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * Counts failed sign-ins per client address in a sliding minute, so the
 * token cannot be guessed at line speed. Bounded: at most `maxAddresses`
 * addresses are tracked; the oldest entry is dropped first.
 */
export class SignInLimiter {
  readonly #failures = new Map<string, number[]>();

  /**
   * @param maxFailures failures allowed per address per window
   * @param windowMs the window length
   * @param maxAddresses addresses tracked at once
   */
  constructor(
    readonly maxFailures = 10,
    readonly windowMs = 60_000,
    readonly maxAddresses = 10_000,
  ) {}

  #recent(address: string, now: number): number[] {
    const times = (this.#failures.get(address) ?? []).filter((t) =>
      now - t < this.windowMs
    );
    if (times.length === 0) this.#failures.delete(address);
    else this.#failures.set(address, times);
    return times;
  }

  /** Whether `address` may try again now. */
  allowed(address: string, now = Date.now()): boolean {
    return this.#recent(address, now).length < this.maxFailures;
  }

  /** Records a failed attempt from `address`. */
  fail(address: string, now = Date.now()): void {
    const times = this.#recent(address, now);
    times.push(now);
    this.#failures.delete(address);
    this.#failures.set(address, times);
    if (this.#failures.size > this.maxAddresses) {
      const oldest = this.#failures.keys().next().value;
      if (oldest !== undefined) this.#failures.delete(oldest);
    }
  }

  /** Forgets `address` after a successful sign-in. */
  succeed(address: string): void {
    this.#failures.delete(address);
  }
}
