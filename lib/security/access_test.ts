import assert from "node:assert/strict";
import {
  clearedSessionCookie,
  hasAccess,
  isHttps,
  isSameOriginPost,
  safeReturnPath,
  SESSION_COOKIE,
  sessionCookie,
  sessionValue,
  SignInLimiter,
  timingSafeEqual,
} from "./access.ts";

function request(headers: Record<string, string>, url = "http://app.test/") {
  return new Request(url, { headers });
}

Deno.test("sessionValue is HMAC-SHA-256 of the label keyed by the token", async () => {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode("s3cret"),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(
    await crypto.subtle.sign(
      "HMAC",
      key,
      new TextEncoder().encode("realtime-session-v1"),
    ),
  );
  const expected = btoa(String.fromCharCode(...mac)).replaceAll("+", "-")
    .replaceAll("/", "_").replace(/=+$/, "");
  assert.equal(sessionValue("s3cret"), expected);
  assert.notEqual(sessionValue("rotated"), expected);
  assert.ok(!sessionValue("s3cret").includes("s3cret"));
});

Deno.test("hasAccess: open without a token; session cookie or Bearer with one", () => {
  assert.ok(hasAccess(request({}), undefined));
  assert.ok(!hasAccess(request({}), "s3cret"));
  const cookie = `theme=dark; ${SESSION_COOKIE}=${sessionValue("s3cret")}`;
  assert.ok(hasAccess(request({ cookie }), "s3cret"));
  assert.ok(!hasAccess(request({ cookie }), "rotated"), "rotation invalidates");
  assert.ok(
    !hasAccess(request({ cookie: `${SESSION_COOKIE}=s3cret` }), "s3cret"),
    "the raw token is not a session",
  );
  assert.ok(hasAccess(request({ authorization: "Bearer s3cret" }), "s3cret"));
  assert.ok(!hasAccess(request({ authorization: "Bearer s3cre" }), "s3cret"));
  assert.ok(
    !hasAccess(request({}, "http://app.test/?access_token=s3cret"), "s3cret"),
  );
});

Deno.test("timingSafeEqual compares whole strings", () => {
  assert.ok(timingSafeEqual("abc", "abc"));
  assert.ok(!timingSafeEqual("abc", "abd"));
  assert.ok(!timingSafeEqual("abc", "abcd"));
  assert.ok(!timingSafeEqual("", "a"));
});

Deno.test("session cookies are HttpOnly, SameSite=Strict, Secure on https", () => {
  const plain = sessionCookie("s3cret", false);
  assert.match(plain, /^access_session=[A-Za-z0-9_-]{43}; Path=\/;/);
  assert.match(plain, /; HttpOnly; SameSite=Strict$/);
  assert.match(sessionCookie("s3cret", true), /; Secure$/);
  assert.match(
    clearedSessionCookie(true),
    /^access_session=; .*Max-Age=0.*Secure/,
  );
});

Deno.test("isHttps trusts X-Forwarded-Proto only behind a trusted proxy", () => {
  const forwarded = request({ "x-forwarded-proto": "https" });
  assert.ok(!isHttps(forwarded, false));
  assert.ok(isHttps(forwarded, true));
  assert.ok(isHttps(request({}, "https://app.test/"), false));
  // A value the client sent before the proxy's own does not count.
  assert.ok(!isHttps(request({ "x-forwarded-proto": "https, http" }), true));
});

Deno.test("safeReturnPath keeps same-site paths and refuses everything else", () => {
  assert.equal(safeReturnPath("/rooms/lobby?x=1#end"), "/rooms/lobby?x=1#end");
  for (
    const bad of [
      null,
      "",
      "rooms",
      "//evil.example/",
      "/\\evil.example",
      "https://evil.example/",
      "/\tevil",
      "/login",
      "/logout?x",
      "javascript:alert(1)",
      "/.//evil.example",
      "/..//evil.example",
      "/a/..//evil.example",
      "/%2e//evil.example",
    ]
  ) {
    assert.equal(safeReturnPath(bad), "/", String(bad));
  }
});

Deno.test("isSameOriginPost: Origin must be this host; Sec-Fetch-Site same-origin", () => {
  assert.ok(isSameOriginPost(request({ origin: "http://app.test" })));
  assert.ok(isSameOriginPost(request({ origin: "https://app.test" })));
  assert.ok(!isSameOriginPost(request({ origin: "http://evil.test" })));
  assert.ok(!isSameOriginPost(request({ origin: "null" })));
  assert.ok(isSameOriginPost(request({ "sec-fetch-site": "same-origin" })));
  assert.ok(!isSameOriginPost(request({ "sec-fetch-site": "cross-site" })));
  assert.ok(isSameOriginPost(request({})), "non-browser clients");
  assert.ok(
    !isSameOriginPost(
      request({ origin: "http://app.test", "sec-fetch-site": "cross-site" }),
    ),
  );
  assert.ok(
    isSameOriginPost(
      request({ origin: "null", "sec-fetch-site": "same-origin" }),
    ),
  );
  assert.ok(
    !isSameOriginPost(
      request({ origin: "null", "sec-fetch-site": "same-site" }),
    ),
  );
});

Deno.test("SignInLimiter: 10 failures a minute per address, bounded memory", () => {
  const limiter = new SignInLimiter(3, 1000, 2);
  for (let i = 0; i < 3; i++) limiter.fail("a", i);
  assert.ok(!limiter.allowed("a", 10));
  assert.ok(limiter.allowed("b", 10));
  assert.ok(limiter.allowed("a", 1500), "the window slides");
  limiter.succeed("a");
  limiter.fail("b", 0);
  limiter.fail("c", 0);
  limiter.fail("d", 0);
  // Only two addresses are kept: the oldest ("b") was dropped.
  for (let i = 0; i < 2; i++) limiter.fail("c", 1);
  assert.ok(!limiter.allowed("c", 2));
  assert.ok(limiter.allowed("b", 2));
});
