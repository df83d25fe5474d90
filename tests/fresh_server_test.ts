/**
 * The runtime through a real `Deno.serve` (`start()`), and dev-mode bundling.
 */
import { equal, match, ok, rejects } from "node:assert/strict";
import { createHandler, type Manifest, start } from "$fresh/server.ts";
import fixture from "./fixture/fresh.gen.ts";
import * as wsRoute from "./fixture/routes/ws.ts";
import * as rootMiddleware from "./fixture/routes/_middleware.ts";
import * as about from "./fixture/routes/about.tsx";
import * as echo from "./fixture/routes/api/echo.ts";

/** The fixture's WebSocket route and root middleware, without islands (no build needed). */
const wsManifest: Manifest = {
  routes: {
    "./routes/_middleware.ts": rootMiddleware,
    "./routes/about.tsx": about,
    "./routes/api/echo.ts": echo,
    "./routes/ws.ts": wsRoute,
  },
  islands: {},
  baseUrl: fixture.baseUrl,
};

Deno.test("[fresh] start(): WebSocket upgrade through middleware, onListen, signal shutdown", async () => {
  const controller = new AbortController();
  const { promise: listening, resolve } = Promise.withResolvers<Deno.NetAddr>();
  const served = start(wsManifest, {
    server: {
      port: 0,
      hostname: "127.0.0.1",
      signal: controller.signal,
      onListen: resolve,
    },
  });
  const addr = await listening;
  try {
    const socket = new WebSocket(`ws://127.0.0.1:${addr.port}/ws`);
    const reply = new Promise<string>((ok, fail) => {
      socket.onmessage = (e) => ok(e.data);
      socket.onerror = () => fail(new Error("socket error"));
    });
    await new Promise((r) => (socket.onopen = r));
    socket.send("ping");
    equal(await reply, "echo:ping");
    const closed = new Promise((r) => (socket.onclose = r));
    socket.close();
    await closed;

    const plain = await fetch(`http://127.0.0.1:${addr.port}/ws`);
    equal(plain.status, 426);
    await plain.body?.cancel();
    const page = await fetch(`http://127.0.0.1:${addr.port}/about`);
    equal(page.headers.get("x-root-mw"), "route");
    match(await page.text(), /A page without islands/);
    // ctx.localAddr is the address really listened on (port 0 was asked for)
    const echoed = await fetch(`http://127.0.0.1:${addr.port}/api/echo`);
    equal((await echoed.json()).local, addr.port);
  } finally {
    controller.abort();
  }
  equal(
    await served,
    undefined,
    "start() returns once the server has finished",
  );
});

Deno.test("[fresh] start() rejects a PORT that is not a port number", async () => {
  Deno.env.set("PORT", "eighty");
  try {
    await rejects(
      start(wsManifest),
      /env PORT must be a port number, got "eighty"/,
    );
  } finally {
    Deno.env.delete("PORT");
  }
});

Deno.test("[fresh] start() refuses to run an app with islands without a build snapshot", async () => {
  const outDir = await Deno.makeTempDir();
  try {
    await rejects(
      start(fixture, { build: { outDir }, server: { port: 0 } }),
      /No build snapshot found .*deno task build/,
    );
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("[fresh] dev mode bundles on first request and serves no-cache JS", async () => {
  const handler = await createHandler(fixture, { dev: true });
  const page = await (await handler(new Request("http://localhost/"))).text();
  const prefix = /"(\/_frsh\/js\/\w+)\/main\.js"/.exec(page)![1];
  const main = await handler(new Request(`http://localhost${prefix}/main.js`));
  equal(main.status, 200);
  equal(main.headers.get("content-type"), "text/javascript; charset=UTF-8");
  equal(
    main.headers.get("cache-control"),
    "no-cache, no-store, max-age=0, must-revalidate",
  );
  match(await main.text(), /revive/);
  const island = await handler(
    new Request(`http://localhost${prefix}/island-counter.js`),
  );
  equal(island.status, 200);
  await island.body?.cancel();
  const unknown = await handler(
    new Request(`http://localhost${prefix}/nope.js`),
  );
  equal(unknown.status, 404);
  await unknown.body?.cancel();
  // after the first build, pages preload the modules they import
  const again = await (await handler(new Request("http://localhost/"))).text();
  ok(again.includes(`<link rel="modulepreload" href="${prefix}/main.js">`));
});
