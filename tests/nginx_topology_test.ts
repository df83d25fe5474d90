/**
 * The docker-compose topology without Docker: redis-server, two app
 * processes (production permissions, REDIS_URL set) and nginx configured by
 * the repository's own deploy/nginx.conf, with only its listen port and
 * upstream addresses replaced. Two WebSocket clients connect through nginx,
 * land on different instances, join one room and see each other's messages.
 */
import assert from "node:assert/strict";
import { buildApp } from "./helpers/build_app.ts";
import { startRedisServer } from "./helpers/redis_server.ts";
import {
  freePort,
  REPO_ROOT,
  type ServerProcess,
  spawnCaptured,
  startServer,
  waitForHttp,
} from "./helpers/server_process.ts";
import { type Frame, WsClient } from "./helpers/ws_client.ts";
import { WAIT_MS, waitUntil } from "./helpers/wait.ts";

const NGINX = "/usr/sbin/nginx";
const CONF = `${REPO_ROOT}/deploy/nginx.conf`;

/**
 * deploy/nginx.conf with the compose addresses swapped for local ports. Each
 * replaced text must occur exactly once, so a change to the file that breaks
 * this mapping fails the test instead of silently testing something else.
 */
function localConf(source: string, listen: number, apps: number[]): string {
  const swaps: [string, string][] = [
    ["listen 80;", `listen 127.0.0.1:${listen};`],
    ["server app1:8000 ", `server 127.0.0.1:${apps[0]} `],
    ["server app2:8000 ", `server 127.0.0.1:${apps[1]} `],
  ];
  let conf = source;
  for (const [from, to] of swaps) {
    assert.equal(
      conf.split(from).length - 1,
      1,
      `deploy/nginx.conf must contain "${from.trim()}" exactly once`,
    );
    conf = conf.replace(from, to);
  }
  return conf;
}

interface Nginx {
  url: string;
  wsUrl: string;
  output(): string;
  stop(): Promise<void>;
}

async function startNginx(apps: number[]): Promise<Nginx> {
  const prefix = await Deno.makeTempDir({ prefix: "nginx_topology_" });
  // nginx started as root runs its workers as an unprivileged user, which
  // must reach the temp directories under the prefix.
  await Deno.chmod(prefix, 0o755);
  const port = freePort();
  const conf = localConf(await Deno.readTextFile(CONF), port, apps);
  await Deno.writeTextFile(`${prefix}/nginx.conf`, conf);
  const nginx = spawnCaptured(NGINX, {
    args: [
      "-p",
      `${prefix}/`,
      "-c",
      `${prefix}/nginx.conf`,
      "-g",
      `daemon off; pid ${prefix}/nginx.pid; error_log stderr warn;`,
    ],
  });
  const stop = async () => {
    await nginx.stop();
    await Deno.remove(prefix, { recursive: true });
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/healthz`, nginx, WAIT_MS);
  } catch (error) {
    await Deno.remove(prefix, { recursive: true });
    throw error;
  }
  return { url, wsUrl: `ws://127.0.0.1:${port}`, output: nginx.output, stop };
}

async function health(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/healthz`);
  return await res.json();
}

/** Which app process holds exactly `expected` sockets, asked directly. */
async function socketsPerApp(apps: ServerProcess[]): Promise<number[]> {
  return await Promise.all(
    apps.map(async (app) => Number((await health(app.url)).connections)),
  );
}

async function hello(url: string): Promise<WsClient> {
  const client = await WsClient.open(`${url}/ws`, { timeoutMs: WAIT_MS });
  client.send({ type: "hello", protocol: 1, client: "nginx-topology-test" });
  await client.waitFor((f) => f.type === "welcome", WAIT_MS);
  return client;
}

Deno.test({
  name: "nginx balances WebSockets over two instances that share rooms",
  async fn() {
    const build = await buildApp(REPO_ROOT);
    const redis = await startRedisServer();
    const apps: ServerProcess[] = [];
    const clients: WsClient[] = [];
    let nginx: Nginx | undefined;
    try {
      for (const id of ["app1", "app2"]) {
        apps.push(
          await startServer({
            env: {
              ...build.env,
              REDIS_URL: redis.url,
              BUS: "redis",
              TRUST_PROXY: "true",
              INSTANCE_ID: id,
              PROCESS_DELAY_MS: "0",
              LOG_LEVEL: "warn",
            },
          }),
        );
      }
      nginx = await startNginx(apps.map((app) => app.port));

      // Plain HTTP through nginx reaches both instances in turn.
      const seen = new Set<unknown>();
      for (let i = 0; i < 6; i++) seen.add((await health(nginx.url)).instance);
      assert.deepEqual([...seen].sort(), ["app1", "app2"]);

      // First client: find its instance by asking each app directly.
      const first = await hello(nginx.wsUrl);
      clients.push(first);
      await waitUntil(
        async () => (await socketsPerApp(apps)).reduce((a, b) => a + b) === 1,
        "the first socket to be counted",
      );
      const firstApp = (await socketsPerApp(apps)).indexOf(1);
      assert.notEqual(firstApp, -1);

      // Second client: round-robin sends it to the other instance; should
      // anything else have moved the counter, reconnect until it does.
      let second: WsClient | undefined;
      for (let attempt = 0; attempt < 8 && !second; attempt++) {
        const candidate = await hello(nginx.wsUrl);
        await waitUntil(
          async () => (await socketsPerApp(apps)).reduce((a, b) => a + b) === 2,
          "the second socket to be counted",
        );
        const counts = await socketsPerApp(apps);
        if (counts[1 - firstApp] === 1) second = candidate;
        else {
          await candidate.close();
          await waitUntil(
            async () =>
              (await socketsPerApp(apps)).reduce((a, b) => a + b) === 1,
            "the extra socket to close",
          );
        }
      }
      assert.ok(second, "no socket landed on the second instance");
      clients.push(second);
      assert.deepEqual(await socketsPerApp(apps), [1, 1]);

      // Both join one room, each through its own instance.
      const room = `topo-${crypto.randomUUID().slice(0, 8)}`;
      first.send({ type: "join", room, name: "Ann" });
      await first.waitFor(
        (f) => f.type === "joined" && f.room === room,
        WAIT_MS,
      );
      second.send({ type: "join", room, name: "Bob" });
      await second.waitFor(
        (f) => f.type === "joined" && f.room === room,
        WAIT_MS,
      );
      // Presence is summed across instances through Redis.
      await first.waitFor(
        (f) => f.type === "presence" && f.online === 2,
        WAIT_MS,
      );

      const isMessage = (id: string) => (f: Frame) =>
        f.type === "message" && f.room === room && f.id === id;

      first.send({ type: "send", id: "from-ann", text: "hi bob", room });
      const [annSees, bobSees] = await Promise.all([
        first.waitFor(isMessage("from-ann"), WAIT_MS),
        second.waitFor(isMessage("from-ann"), WAIT_MS),
      ]);
      assert.equal(bobSees.message, "HI BOB");
      assert.equal(bobSees.from, "Ann");
      assert.equal(bobSees.seq, annSees.seq);

      second.send({ type: "send", id: "from-bob", text: "hi ann", room });
      const [fromBob, fromBobOwn] = await Promise.all([
        first.waitFor(isMessage("from-bob"), WAIT_MS),
        second.waitFor(isMessage("from-bob"), WAIT_MS),
      ]);
      assert.equal(fromBob.message, "HI ANN");
      assert.equal(fromBob.from, "Bob");
      assert.equal(fromBob.seq, fromBobOwn.seq);
      assert.ok(Number(fromBob.seq) > Number(annSees.seq));

      // nginx's JSON access log names the upstream of every request.
      assert.match(nginx.output(), /"upstream":"127\.0\.0\.1:\d+"/);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await nginx?.stop();
      await Promise.all(apps.map((app) => app.stop()));
      await redis.stop();
    }
  },
});
