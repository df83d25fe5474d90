/**
 * The built app under the production permissions only
 * (`--allow-net --allow-read --allow-env`: no write, no run, no sys) and the
 * production defaults (no KV_PATH, no REDIS_URL): the home page, a static
 * file, an island bundle, /ws and a room (history in Deno's default KV) all
 * work, SIGTERM drains the sockets, and nothing asks for a permission it
 * lacks.
 */
import assert from "node:assert/strict";
import { buildApp } from "./helpers/build_app.ts";
import {
  REPO_ROOT,
  type ServerProcess,
  startServer,
} from "./helpers/server_process.ts";
import { WsClient } from "./helpers/ws_client.ts";
import { WAIT_MS } from "./helpers/wait.ts";

const PRODUCTION_PERMISSIONS = ["--allow-net", "--allow-read", "--allow-env"];

async function firstStaticFile(): Promise<string> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(`${REPO_ROOT}/static`)) {
    if (entry.isFile && !entry.name.startsWith(".")) names.push(entry.name);
  }
  assert.ok(names.length > 0, "static/ has no files");
  return names.sort()[0];
}

Deno.test({
  name:
    "the built app serves pages, static files, islands and /ws without write permission",
  async fn(t) {
    const build = await buildApp(REPO_ROOT);
    let app: ServerProcess | undefined;
    try {
      app = await startServer({
        permissions: PRODUCTION_PERMISSIONS,
        env: { ...build.env, PROCESS_DELAY_MS: "0", LOG_LEVEL: "info" },
      });
      const server = app;
      let html = "";

      await t.step("home page", async () => {
        const res = await fetch(`${server.url}/`);
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
        html = await res.text();
        assert.match(html, /^<!DOCTYPE html>/i);
      });

      await t.step("a static file, byte for byte", async () => {
        const name = await firstStaticFile();
        const res = await fetch(`${server.url}/${name}`);
        assert.equal(res.status, 200);
        const served = new Uint8Array(await res.arrayBuffer());
        const onDisk = await Deno.readFile(`${REPO_ROOT}/static/${name}`);
        assert.deepEqual(served, onDisk);
      });

      await t.step("an island bundle from the AOT build", async () => {
        const bundles = [...html.matchAll(/\/_frsh\/js\/[^"'\s)]+\.js/g)]
          .map((m) => m[0]);
        assert.ok(bundles.length > 0, "the home page references no bundle");
        for (const path of new Set(bundles)) {
          const res = await fetch(`${server.url}${path}`);
          assert.equal(res.status, 200, path);
          assert.match(
            res.headers.get("content-type") ?? "",
            /javascript/,
            path,
          );
          assert.ok((await res.text()).length > 0, path);
        }
      });

      await t.step("/ws: seed format, typed protocol and a room", async () => {
        const client = await WsClient.open(`${server.wsUrl}/ws`, {
          timeoutMs: WAIT_MS,
        });
        try {
          client.send({ message: "hello" });
          const reply = await client.waitFor(
            (f) => f.message === "HELLO",
            WAIT_MS,
          );
          assert.match(String(reply.time), /^\d{2}:\d{2}:\d{2}$/);

          client.send({ type: "hello", protocol: 1 });
          await client.waitFor((f) => f.type === "welcome", WAIT_MS);
          // A room uses the history store: Deno's default KV, opened with
          // no path, which needs no write permission.
          const room = `perm-${crypto.randomUUID().slice(0, 8)}`;
          client.send({ type: "join", room, name: "Ops" });
          await client.waitFor((f) => f.type === "joined", WAIT_MS);
          client.send({ type: "send", id: "p1", text: "stored", room });
          const message = await client.waitFor(
            (f) => f.type === "message" && f.id === "p1",
            WAIT_MS,
          );
          assert.equal(message.message, "STORED");
          assert.equal(typeof message.seq, "number");
        } finally {
          await client.close();
        }
      });

      await t.step("SIGTERM drains: sockets get 1001, exit 0", async () => {
        const client = await WsClient.open(`${server.wsUrl}/ws`, {
          timeoutMs: WAIT_MS,
        });
        client.send({ type: "hello", protocol: 1 });
        await client.waitFor((f) => f.type === "welcome", WAIT_MS);
        const [exitCode, closed] = await Promise.all([
          server.stop("SIGTERM"),
          client.closed,
        ]);
        assert.equal(closed.code, 1001);
        assert.equal(exitCode, 0);
      });

      await t.step("no permission was missing", () => {
        assert.doesNotMatch(
          server.stdout(),
          /NotCapable|PermissionDenied|Requires \w+ access/,
        );
      });
    } finally {
      await app?.stop();
    }
  },
});
