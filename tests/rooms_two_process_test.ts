/**
 * Two real app processes (main.ts) share rooms through a real redis-server:
 * a client on process A sends, a client on process B receives, in seq order
 * and without loss; presence and resume cross processes. Prints the
 * send-on-A to receive-on-B latency (no timing assertions: this machine is
 * shared).
 */

import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { buildApp } from "./helpers/build_app.ts";
import { startRedisServer } from "./helpers/redis_server.ts";
import {
  REPO_ROOT,
  type ServerProcess,
  startServer,
} from "./helpers/server_process.ts";
import { type Frame, WsClient } from "./helpers/ws_client.ts";
import { WAIT_MS } from "./helpers/wait.ts";

async function joinRoom(
  server: ServerProcess,
  room: string,
  name: string,
  since?: number,
): Promise<{ client: WsClient; joined: Frame }> {
  const client = await WsClient.open(`${server.wsUrl}/ws`);
  client.send({ type: "hello", protocol: 1, client: "rooms-two-process" });
  await client.waitFor((f) => f.type === "welcome", WAIT_MS);
  client.send(
    since === undefined
      ? { type: "join", room, name }
      : { type: "join", room, name, since },
  );
  const joined = await client.waitFor(
    (f) => f.type === "joined" || f.type === "error",
    WAIT_MS,
  );
  assertEquals(joined.type, "joined", JSON.stringify(joined));
  return { client, joined };
}

const messagesIn = (client: WsClient, room: string) =>
  client.frames.filter((f) => f.type === "message" && f.room === room);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

Deno.test("two app processes share a room over Redis", async () => {
  await using redis = await startRedisServer();
  const build = await buildApp(REPO_ROOT);
  const env = {
    ...build.env,
    BUS: "redis",
    REDIS_URL: redis.url,
    PROCESS_DELAY_MS: "0",
    RATE_PER_SECOND: "100000",
    RATE_BURST: "100000",
    MAX_IN_FLIGHT: "1000",
    LOG_LEVEL: "error",
  };
  const a = await startServer({ env });
  const b = await startServer({ env });
  const clients: WsClient[] = [];
  try {
    const room = `two-${crypto.randomUUID().slice(0, 8)}`;
    const onA = await joinRoom(a, room, "Ann");
    clients.push(onA.client);
    const onB = await joinRoom(b, room, "Bob");
    clients.push(onB.client);
    assertEquals(onB.joined.online, 2);
    await onA.client.waitFor(
      (f) => f.type === "presence" && f.online === 2,
      WAIT_MS,
    );

    // Latency: one message at a time, sent on A, timed until it is on B.
    const rounds = 300;
    const latencies: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const id = `lat-${i}`;
      const sent = performance.now();
      onA.client.send({ type: "send", id, text: `ping ${i}`, room });
      await onB.client.waitFor(
        (f) => f.type === "message" && f.id === id,
        WAIT_MS,
      );
      const index = onB.client.frames.findIndex((f) =>
        f.type === "message" && f.id === id
      );
      latencies.push(onB.client.times[index] - sent);
    }
    latencies.sort((x, y) => x - y);

    // Throughput: both sides send at once, many in flight.
    const burst = 1000;
    for (let i = 0; i < burst; i++) {
      (i % 2 ? onB : onA).client.send({
        type: "send",
        id: `burst-${i}`,
        text: `burst ${i}`,
        room,
      });
    }
    const total = rounds + burst;
    const started = performance.now();
    for (const { client } of [onA, onB]) {
      await client.waitForCount(
        (f) => f.type === "message" && f.room === room,
        total,
        WAIT_MS * 2,
      );
    }
    const burstSeconds = (performance.now() - started) / 1000;
    for (const { client } of [onA, onB]) {
      const seqs = messagesIn(client, room).map((f) => f.seq as number);
      assertEquals(
        seqs,
        Array.from({ length: total }, (_, i) => i + 1),
        "every seq once, in order",
      );
      assert(!client.frames.some((f) => f.type === "error"));
    }

    // Bob drops, Ann keeps talking, Bob resumes on the other process.
    const lastSeen = messagesIn(onB.client, room).at(-1)!.seq as number;
    await onB.client.close();
    for (let i = 0; i < 20; i++) {
      onA.client.send({ type: "send", id: `gone-${i}`, text: `x ${i}`, room });
    }
    await onA.client.waitForCount(
      (f) => f.type === "message" && f.room === room,
      total + 20,
      WAIT_MS,
    );
    const resumed = await joinRoom(a, room, "Bob", lastSeen);
    clients.push(resumed.client);
    const history = resumed.joined.history as Frame[];
    assertEquals(
      history.map((m) => m.seq),
      Array.from({ length: 20 }, (_, i) => lastSeen + 1 + i),
    );
    assertEquals(history[0].id, "gone-0");

    console.log(
      `  A→B latency over ${rounds} sequential messages: median ${
        percentile(latencies, 0.5).toFixed(2)
      } ms, p99 ${percentile(latencies, 0.99).toFixed(2)} ms, max ${
        latencies.at(-1)!.toFixed(2)
      } ms`,
    );
    console.log(
      `  burst: ${burst} messages sent from both processes, ${total} ` +
        `received in order by each client, ${
          (burst / burstSeconds).toFixed(0)
        } msg/s; resume on the other process returned ${history.length} missed`,
    );
  } finally {
    for (const client of clients) await client.close().catch(() => {});
    await a.stop();
    await b.stop();
  }
});
