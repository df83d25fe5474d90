import assert from "node:assert/strict";
import { applyPagePolicy, pageDirectives, socketSources } from "./csp.ts";
import { COMMON_HEADERS, withSecurityHeaders } from "./headers.ts";
import { gate } from "./gate.ts";
import { SESSION_COOKIE, sessionValue } from "./access.ts";
import type { ContentSecurityPolicy } from "$fresh/runtime.ts";

const PAGE = new URL("http://app.test:8000/rooms/lobby");

Deno.test("socketSources: ws and wss on http, wss only on https, none for odd hosts", () => {
  assert.deepEqual(socketSources(PAGE), [
    "ws://app.test:8000",
    "wss://app.test:8000",
  ]);
  assert.deepEqual(socketSources(new URL("https://app.test/")), [
    "wss://app.test",
  ]);
  assert.deepEqual(socketSources(new URL("http://[::1]:8000/")), [
    "ws://[::1]:8000",
    "wss://[::1]:8000",
  ]);
  // The URL parser lets ";" and "'" through in hosts: they must not reach
  // the header, where they would start a new directive.
  assert.deepEqual(socketSources(new URL("http://a;script-src*/")), []);
});

Deno.test("applyPagePolicy replaces the runtime's unsafe-inline start", () => {
  const csp: ContentSecurityPolicy = {
    directives: { defaultSrc: ["'none'"], styleSrc: ["'unsafe-inline'"] },
    reportOnly: true,
  };
  applyPagePolicy(csp, PAGE);
  assert.equal(csp.reportOnly, false);
  assert.deepEqual(csp.directives.styleSrc, ["'self'"]);
  assert.deepEqual(csp.directives.scriptSrc, ["'self'"]);
  assert.deepEqual(csp.directives.frameAncestors, ["'none'"]);
  assert.deepEqual(csp.directives.baseUri, ["'none'"]);
  const all = Object.values(pageDirectives(PAGE)).flat();
  assert.ok(!all.includes("'unsafe-inline'"));
  assert.ok(!all.includes("'unsafe-eval'"));
});

Deno.test("withSecurityHeaders: fallback policy on HTML without one, kept when present", () => {
  const html = withSecurityHeaders(
    new Response("<p>x</p>", {
      status: 404,
      headers: { "content-type": "text/html; charset=utf-8" },
    }),
    PAGE,
    "notFound",
  );
  for (const [name, value] of Object.entries(COMMON_HEADERS)) {
    assert.equal(html.headers.get(name), value, name);
  }
  const policy = html.headers.get("content-security-policy") ?? "";
  assert.match(policy, /script-src 'self'(;|$)/);
  assert.match(policy, /connect-src 'self' ws:\/\/app\.test:8000/);

  const own = withSecurityHeaders(
    new Response("", {
      headers: {
        "content-type": "text/html",
        "content-security-policy": "script-src 'nonce-abc'",
      },
    }),
    PAGE,
    "route",
  );
  assert.equal(
    own.headers.get("content-security-policy"),
    "script-src 'nonce-abc'",
  );
});

Deno.test("withSecurityHeaders copies immutable responses and spares 101", () => {
  const redirect = withSecurityHeaders(
    Response.redirect("http://app.test/", 302),
    PAGE,
    "route",
  );
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.get("location"), "http://app.test/");
  assert.equal(redirect.headers.get("x-frame-options"), "DENY");
  assert.equal(
    redirect.headers.get("content-security-policy"),
    "default-src 'none'; frame-ancestors 'none'",
  );

  const css = withSecurityHeaders(
    new Response("a{}", { headers: { "content-type": "text/css" } }),
    PAGE,
    "static",
  );
  assert.equal(css.headers.get("x-content-type-options"), "nosniff");
  assert.equal(css.headers.get("content-security-policy"), null);
});

Deno.test("gate: redirects pages, 401 for machines and non-GET, opens public paths", async () => {
  const token = "s3cret";
  const at = (path: string, init: RequestInit = {}) => {
    const url = new URL(path, "http://app.test");
    return [new Request(url, init), url] as const;
  };
  let [req, url] = at("/rooms/lobby?x=1");
  const redirect = gate(req, url, "route", token)!;
  assert.equal(redirect.status, 303);
  assert.equal(
    redirect.headers.get("location"),
    "/login?next=%2Frooms%2Flobby%3Fx%3D1",
  );
  [req, url] = at("/");
  assert.equal(
    gate(req, url, "route", token)?.headers.get("location"),
    "/login",
  );
  [req, url] = at("/nowhere");
  assert.equal(gate(req, url, "notFound", token)?.status, 303);
  for (const path of ["/metrics", "/ws"]) {
    [req, url] = at(path);
    const refused = gate(req, url, "route", token)!;
    assert.equal(refused.status, 401, path);
    assert.match(await refused.text(), /sign in at \/login/);
  }
  [req, url] = at("/rooms", { method: "POST" });
  assert.equal(gate(req, url, "route", token)?.status, 401);
  for (const path of ["/login", "/logout", "/healthz"]) {
    [req, url] = at(path);
    assert.equal(gate(req, url, "route", token), undefined, path);
  }
  [req, url] = at("/styles.css");
  assert.equal(gate(req, url, "static", token), undefined);
  [req, url] = at("/metrics", {
    headers: { cookie: `${SESSION_COOKIE}=${sessionValue(token)}` },
  });
  assert.equal(gate(req, url, "route", token), undefined);
  [req, url] = at("/metrics", { headers: { authorization: "Bearer s3cret" } });
  assert.equal(gate(req, url, "route", token), undefined);
  [req, url] = at("/about");
  assert.equal(gate(req, url, "route", undefined), undefined, "no token: open");
});
