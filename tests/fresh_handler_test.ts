/**
 * The runtime through `createHandler`, against the fixture app in
 * tests/fixture (no build snapshot: bundles are not needed here).
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { createHandler } from "$fresh/server.ts";
import manifest from "./fixture/fresh.gen.ts";

const noSnapshot = new URL("./fixture/_no_snapshot/", import.meta.url).pathname;
const handler = await createHandler(manifest, {
  build: { outDir: noSnapshot },
});
const info = {
  remoteAddr: {
    transport: "tcp" as const,
    hostname: "203.0.113.7",
    port: 4242,
  },
  completed: Promise.resolve(),
};

async function get(path: string, init?: RequestInit) {
  const res = await handler(new Request("http://localhost" + path, init), info);
  const text = await res.text();
  return { res, text };
}

function silenceErrors<T>(fn: () => Promise<T>): Promise<T> {
  const original = console.error;
  const logged: unknown[][] = [];
  console.error = (...args: unknown[]) => logged.push(args);
  return fn().finally(() => {
    console.error = original;
    ok(logged.length > 0, "the error was logged");
  });
}

Deno.test("[fresh] index page: document, islands, shared signal state, boot script", async () => {
  const { res, text } = await get("/");
  equal(res.status, 200);
  equal(res.headers.get("content-type"), "text/html; charset=utf-8");
  match(res.headers.get("x-fresh-uuid")!, /^[0-9a-f-]{36}$/);
  ok(
    text.startsWith(
      '<!DOCTYPE html><html lang="en-GB" data-app="fixture"><head>',
    ),
  );
  // <Head> title wins over _app's, and keyed <Head> children are de-duplicated
  match(text, /<title>Home<\/title>/);
  ok(!text.includes("<title>Fixture</title>"));
  ok(text.includes('content="second"') && !text.includes('content="first"'));
  match(text, /<body class="fixture">/);
  match(
    text,
    /<!--frsh-counter_default:0:--><div class="counter" data-label="a">/,
  );
  match(text, /<!--\/frsh-counter_default:0:--><!--frsh-counter_default:1:-->/);
  const uuid = res.headers.get("x-fresh-uuid");
  const state = new RegExp(
    `<script id="__FRSH_STATE_${uuid}" type="application/json" nonce="(\\w+)">([^<]*)</script>`,
  )
    .exec(text);
  ok(state, "state script present");
  deepEqual(JSON.parse(state[2]), {
    v: [
      [{ count: { _f: "s", v: 3 }, label: "a" }, { count: 0, label: "b" }],
      [],
    ],
    r: [[[0, 0, "count"], [0, 1, "count"]]],
  });
  match(
    text,
    new RegExp(
      `<script type="module" nonce="${
        state[1]
      }">import\\{revive\\}from"/_frsh/js/\\w+/main.js"`,
    ),
  );
  match(text, /island-counter\.js/);
  ok(text.endsWith("</script></body></html>"));
});

Deno.test("[fresh] a page without islands ships no JavaScript", async () => {
  const { res, text } = await get("/about");
  equal(res.status, 200);
  match(text, /<p id="about">/);
  ok(!text.includes("<script"), "no script tag");
  ok(!text.includes("modulepreload"), "no modulepreload");
  ok(!text.includes("frsh-"), "no markers");
});

Deno.test("[fresh] _app without <html> gets lang, charset and viewport", async () => {
  const { text } = await get("/admin/skip");
  equal(
    text,
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1.0"></head><body><p id="skip">bare</p></body></html>',
  );
});

Deno.test("[fresh] config.render: lang and inlined styles; a render that skips render() is a 500", async () => {
  const styled = await createHandler(manifest, {
    build: { outDir: noSnapshot },
    render(ctx, render) {
      ctx.lang = "de";
      ctx.styles.push("p{color:red}", "b{margin:0}");
      render();
    },
  });
  const res = await styled(new Request("http://localhost/admin/skip"));
  equal(
    await res.text(),
    '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1.0"><style id="__FRSH_STYLE">p{color:red}\nb{margin:0}</style></head><body><p id="skip">bare</p></body></html>',
  );
  const broken = await createHandler(manifest, {
    build: { outDir: noSnapshot },
    render() {},
  });
  const failed = await silenceErrors(async () =>
    await broken(new Request("http://localhost/about"))
  );
  equal(failed.status, 500);
  await failed.body?.cancel();
});

Deno.test("[fresh] params, rest, optional params, routeOverride, ctx.route", async () => {
  match(
    (await get("/greet/J%C3%BCrgen")).text,
    /Hello Jürgen via \/greet\/:name/,
  );
  match((await get("/old/a/b/c")).text, /\[a\/b\/c\]/);
  match((await get("/old")).text, /<p id="rest">\[\]<\/p>/);
  match((await get("/docs")).text, /v=\[\]/);
  match((await get("/docs/v2")).text, /v=\[v2\]/);
  match((await get("/custom-path/42")).text, /custom 42/);
  // a malformed escape is passed through instead of failing the request
  match((await get("/greet/%E0%A4%A")).text, /Hello %E0%A4%A via/);
  equal((await get("/custom")).res.status, 404);
});

Deno.test("[fresh] links to this page and its ancestors are marked", async () => {
  const { text } = await get("/docs/v2");
  const link = (id: string) =>
    text.match(new RegExp(`<a id="${id}"[^>]*>`))![0];
  match(link("to-v2"), /data-current="true"/);
  match(link("to-v2"), /aria-current="page"/);
  match(link("to-docs"), /data-ancestor="true"/);
  match(link("to-docs"), /aria-current="true"/);
  match(link("to-root"), /aria-current="true"/);
  ok(!link("to-other").includes("aria-current"));
  match(link("to-set"), /aria-current="location"/, "the author's value wins");
});

Deno.test("[fresh] groups and layouts: group layout, nested async layout, skip flags", async () => {
  match(
    (await get("/grouped")).text,
    /<section class="group-layout"><p id="grouped">/,
  );
  ok(
    !(await get("/about")).text.includes("group-layout"),
    "group layout stays in its group",
  );
  match((await get("/admin")).text, /<div class="admin-layout"><p id="order">/);
  const skip = (await get("/admin/skip")).text;
  ok(!skip.includes("admin-layout") && !skip.includes("fixture"));
});

Deno.test("[fresh] middleware runs root first, array in order, shares ctx.state", async () => {
  const { res, text } = await get("/admin");
  match(text, /<p id="order">root,admin1,admin2<\/p>/);
  equal(res.headers.get("x-root-mw"), "route");
  // an unmatched URL under /admin runs only the root middleware
  equal((await get("/admin/nothing-here")).res.status, 404);
  // middleware gets Fresh's stub render, not the route's
  const stub = await get("/admin?render-in-middleware");
  equal(stub.res.status, 500);
  equal(stub.text, "");
});

Deno.test("[fresh] handlers: object, function, ctx.render(data, init), async page", async () => {
  const echo = await get("/api/echo");
  deepEqual(JSON.parse(echo.text), {
    method: "GET",
    remote: "203.0.113.7",
    local: 8080,
    url: "/api/echo",
  });
  const post = await get("/api/echo", { method: "POST", body: "hi" });
  equal(post.res.status, 201);
  deepEqual(JSON.parse(post.text), { posted: "hi" });
  const fn = await get("/api/fn", { method: "DELETE" });
  equal(fn.text, "fn DELETE");
  const data = await get("/data");
  equal(data.res.status, 201);
  equal(data.res.headers.get("x-custom"), "yes");
  match(data.text, /<p id="data">from handler<\/p>/);
  match((await get("/async")).text, /<p id="async">async GET \/async<\/p>/);
  const redirect = await get("/async?redirect");
  equal(redirect.res.status, 303);
  equal(redirect.res.headers.get("location"), "/about");
});

Deno.test("[fresh] 405 carries Allow and Accept; HEAD comes from GET", async () => {
  const put = await get("/api/echo", { method: "PUT" });
  equal(put.res.status, 405);
  equal(put.res.headers.get("allow"), "GET, HEAD, POST");
  equal(put.res.headers.get("accept"), "GET, HEAD, POST");
  const postPage = await get("/about", { method: "POST" });
  equal(postPage.res.status, 405);
  equal(postPage.res.headers.get("allow"), "GET, HEAD");
  const head = await get("/api/echo", { method: "HEAD" });
  equal(head.res.status, 200);
  equal(head.text, "");
  equal(head.res.headers.get("content-type"), "application/json");
  const headFn = await get("/api/fn", { method: "HEAD" });
  equal(headFn.res.headers.get("x-fn"), "1");
});

Deno.test("[fresh] 404 page, renderNotFound, and 500 page that keeps serving", async () => {
  const missing = await get("/no/such/page");
  equal(missing.res.status, 404);
  match(missing.text, /<h1>404 - nothing at \/no\/such\/page<\/h1>/);
  match(missing.text, /<title>Not found<\/title>/);
  // the _404 handler's ctx.render(data, init) renders _404 with status 404
  equal(missing.res.headers.get("x-not-found"), "handler");
  match(missing.text, /<p id="via">handler<\/p>/);
  const notFound = await get("/missing");
  equal(notFound.res.status, 404);
  match(notFound.text, /404 - nothing at \/missing/);
  match(notFound.text, /<p id="via">renderNotFound<\/p>/);
  const failed = await silenceErrors(() => get("/throws"));
  equal(failed.res.status, 500);
  match(failed.text, /<h1>500 - boom from handler<\/h1>/);
  equal((await get("/about")).res.status, 200);
});

Deno.test("[fresh] an unserializable island prop fails the render naming island and prop", async () => {
  const { res, text } = await silenceErrors(() => get("/badprop"));
  equal(res.status, 500);
  match(
    text,
    /Island &quot;counter_default&quot; prop &quot;onBump&quot; is a function/,
  );
});

Deno.test("[fresh] island children are slots; markers around server content", async () => {
  const { text } = await get("/slot");
  match(
    text,
    /<!--frsh-wrapper_default:0:--><div class="wrapper">.*<!--frsh-slot-wrapper_default:0:children--><p id="slotted">server <b>content<\/b><\/p><!--\/frsh-slot-wrapper_default:0:children-->/,
  );
  match(text, /\{"v":\[\[\{\}\],\[\]\]\}/);
});

Deno.test("[fresh] an island key cannot end its marker comment", async () => {
  const { text } = await get("/keyed");
  match(
    text,
    /<!--frsh-counter_default:0:a--%3Eb--><div class="counter" data-label="keyed">/,
  );
  match(text, /<!--\/frsh-counter_default:0:a--%3Eb-->/);
  ok(!text.includes("a-->b"), "the raw key never reaches the HTML");
});

Deno.test("[fresh] trailing slash 307 keeps the query; repeated slashes collapse", async () => {
  const { res } = await get("/about/?x=1");
  equal(res.status, 307);
  equal(res.headers.get("location"), "/about?x=1");
  match((await get("//greet//ann")).text, /Hello ann/);
});

Deno.test("[fresh] static files: type, ETag/304, HEAD, versioned cache and stale 307", async () => {
  const page = (await get("/")).text;
  const buildId = /styles\.css\?__frsh_c=(\w+)/.exec(page)![1];
  const css = await get("/styles.css");
  equal(css.res.status, 200);
  equal(css.res.headers.get("content-type"), "text/css; charset=UTF-8");
  equal(css.res.headers.get("cache-control"), null);
  const etag = css.res.headers.get("etag")!;
  match(etag, /^"[0-9a-f]{40}"$/);
  match(css.text, /font-family/);
  const notModified = await get("/styles.css", {
    headers: { "if-none-match": etag },
  });
  equal(notModified.res.status, 304);
  equal(
    (await get("/styles.css", { headers: { "if-none-match": "W/" + etag } }))
      .res.status,
    304,
  );
  const head = await get("/hello.txt", { method: "HEAD" });
  equal(head.res.headers.get("content-length"), "13");
  equal(head.text, "");
  const versioned = await get(`/styles.css?__frsh_c=${buildId}`);
  equal(
    versioned.res.headers.get("cache-control"),
    "public, max-age=31536000, immutable",
  );
  const stale = await get("/styles.css?__frsh_c=old&v=2");
  equal(stale.res.status, 307);
  equal(stale.res.headers.get("location"), "/styles.css?v=2");
  equal((await get("/styles.css", { method: "POST" })).res.status, 405);
});

Deno.test("[fresh] CSP route: header with per-render nonce on every inline script", async () => {
  const { res, text } = await get("/csp");
  const policy = res.headers.get("content-security-policy")!;
  ok(policy, "CSP header present");
  const nonces = [...text.matchAll(/<script[^>]* nonce="(\w+)"/g)].map((m) =>
    m[1]
  );
  equal(nonces.length, 2);
  equal(nonces[0], nonces[1]);
  const directives = Object.fromEntries(
    policy.split("; ").map((d) => {
      const [name, ...values] = d.split(" ");
      return [name, values];
    }),
  );
  deepEqual(directives["default-src"], ["'none'"]);
  deepEqual(directives["script-src"], [`'nonce-${nonces[0]}'`, "'self'"]);
  deepEqual(directives["connect-src"], ["'self'"]);
  deepEqual(directives["style-src"], ["'unsafe-inline'", "'self'"]);
  const again = await get("/csp");
  const nonce2 = /nonce="(\w+)"/.exec(again.text)![1];
  ok(nonce2 !== nonces[0], "a new nonce per render");
  equal((await get("/")).res.headers.get("content-security-policy"), null);
});

Deno.test("[fresh] without a snapshot, production bundles fail with a build hint", async () => {
  const page = (await get("/")).text;
  const main = /"(\/_frsh\/js\/\w+\/main\.js)"/.exec(page)![1];
  const { res, text } = await silenceErrors(() => get(main));
  equal(res.status, 500);
  match(text, /deno task build/);
});
