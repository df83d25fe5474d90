import { deepEqual, equal, throws } from "node:assert/strict";
import type { Manifest } from "../types.ts";
import { resolveConfig } from "./config.ts";

const manifest: Manifest = {
  routes: {},
  islands: {},
  baseUrl: "file:///app/fresh.gen.ts",
};

Deno.test("resolveConfig copies the deprecated top-level server options; server wins", () => {
  const onListen = () => {};
  const resolved = resolveConfig(manifest, {
    port: 1,
    hostname: "127.0.0.1",
    cert: "CERT",
    key: "KEY",
    onListen,
    server: { port: 2 },
  });
  deepEqual(resolved.server, {
    port: 2,
    hostname: "127.0.0.1",
    cert: "CERT",
    key: "KEY",
    onListen,
  });
  equal(resolved.staticDir, "/app/static");
  equal(resolved.dev, false);
});

Deno.test("resolveConfig refuses router options this runtime does not implement", () => {
  throws(
    () => resolveConfig(manifest, { router: { basePath: "/app" } }),
    /basePath is not supported/,
  );
  throws(
    () => resolveConfig(manifest, { router: { trailingSlash: true } }),
    /trailingSlash is not supported/,
  );
});
