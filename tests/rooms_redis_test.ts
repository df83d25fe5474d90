/**
 * Two hubs with their own Redis connections in one test process act as two
 * server processes sharing rooms through a real redis-server.
 */

import {
  deepStrictEqual as assertEquals,
  ok as assert,
  rejects as assertRejects,
} from "node:assert/strict";
import {
  BusUnavailableError,
  createHub,
  Hub,
  type HubConfig,
  RedisUnavailableError,
} from "../lib/rooms/hub.ts";
import { RedisBus } from "../lib/rooms/redis_bus.ts";
import { RedisKeys } from "../lib/rooms/redis_keys.ts";
import { RedisLink } from "../lib/rooms/redis_link.ts";
import { RedisRoomLog } from "../lib/rooms/redis_log.ts";
import { RedisPresence } from "../lib/rooms/redis_presence.ts";
import { draft, eventually, RecordingMember } from "../lib/rooms/testing.ts";
import { freePort, startRedisServer } from "./helpers/redis_server.ts";
import { waitUntil } from "./helpers/wait.ts";

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function redisHubs(
  url: string,
  count: number,
  extra: Partial<HubConfig> = {},
): Promise<Hub[]> {
  const hubs: Hub[] = [];
  for (let i = 0; i < count; i++) {
    hubs.push(
      await createHub({
        bus: "redis",
        redisUrl: url,
        historyOnJoin: 20,
        historyLimit: 10_000,
        log: () => {},
        ...extra,
      }),
    );
  }
  return hubs;
}

Deno.test("two hubs over Redis: thousands of messages, no loss, seq order everywhere", async () => {
  await using redis = await startRedisServer();
  const [a, b] = await redisHubs(redis.url, 2);
  try {
    const onA = [new RecordingMember("a1"), new RecordingMember("a2")];
    const onB = [new RecordingMember("b1"), new RecordingMember("b2")];
    for (const m of onA) m.got(await a.join("big", m));
    for (const m of onB) m.got(await b.join("big", m));
    const total = 4000;
    const writers = 8;
    const started = performance.now();
    const returned = (await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        const hub = w % 2 ? b : a;
        const seqs: number[] = [];
        for (let i = w; i < total; i += writers) {
          seqs.push((await hub.publish("big", draft(i, `w${w}`))).seq);
        }
        return seqs;
      }),
    )).flat();
    assertEquals(returned.sort((x, y) => x - y), range(1, total));
    for (const member of [...onA, ...onB]) {
      await member.until(
        () => member.messages().length >= total,
        `${total} messages`,
      );
      assertEquals(member.seqs(), range(1, total), `${member.id} in order`);
      assertEquals(new Set(member.messages().map((m) => m.id)).size, total);
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `  ${total} messages from 8 writers on 2 hubs to 4 members: ` +
        `${seconds.toFixed(2)} s, ${(total / seconds).toFixed(0)} msg/s`,
    );
    // A joiner on either hub sees the same tail of history.
    const late = new RecordingMember("late");
    const joined = late.got(await b.join("big", late));
    assertEquals(joined.seq, total);
    assertEquals(joined.history.map((m) => m.seq), range(total - 19, total));
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test("presence is global across hubs and follows joins, leaves and closes", async () => {
  await using redis = await startRedisServer();
  const [a, b, c] = await redisHubs(redis.url, 3);
  try {
    const ann = new RecordingMember("ann");
    const bob = new RecordingMember("bob");
    const cid = new RecordingMember("cid");
    assertEquals(ann.got(await a.join("r", ann)).online, 1);
    assertEquals(bob.got(await b.join("r", bob)).online, 2);
    await ann.until(() => ann.presence().at(-1) === 2, "online 2 on A");
    assertEquals(cid.got(await c.join("r", cid)).online, 3);
    await ann.until(() => ann.presence().at(-1) === 3, "online 3 on A");
    await bob.until(() => bob.presence().at(-1) === 3, "online 3 on B");
    await eventually(() => a.online("r") === 3, "a.online");
    await b.leave("r", bob);
    await ann.until(() => ann.presence().at(-1) === 2, "online 2 after leave");
    await c.close();
    await ann.until(() => ann.presence().at(-1) === 1, "online 1 after close");
    assertEquals(a.online("r"), 1);
    // Another room is counted apart.
    const dee = new RecordingMember("dee");
    assertEquals(dee.got(await b.join("other", dee)).online, 1);
  } finally {
    await a.close();
    await b.close();
    await c.close();
  }
});

Deno.test("a crashed process's members drop out of presence after its TTL", async () => {
  await using redis = await startRedisServer();
  // A TTL a busy machine cannot outlast by accident: the live hub renews its
  // own entry every 250 ms, and the ghost has 1.5 s to be counted first.
  const [a] = await redisHubs(redis.url, 1, {
    heartbeatMs: 250,
    presenceTtlMs: 1500,
  });
  // A hub whose shutdown leaves its counts behind, as a killed process would.
  const link = await RedisLink.connect(redis.url, { log: () => {} });
  const keys = new RedisKeys();
  const presence = new RedisPresence(link, keys, {
    processId: "crashed",
    ttlMs: 1500,
  });
  presence.close = () => Promise.resolve();
  const crashing = new Hub({
    log: new RedisRoomLog(link, keys, 100),
    bus: new RedisBus(link, keys),
    presence,
    historyOnJoin: 10,
    historyLimit: 100,
    heartbeatMs: 0,
    onClose: () => link.close(),
  });
  try {
    const ann = new RecordingMember("ann");
    ann.got(await a.join("r", ann));
    const ghost = new RecordingMember("ghost");
    assertEquals(ghost.got(await crashing.join("r", ghost)).online, 2);
    await ann.until(() => ann.presence().at(-1) === 2, "online 2");
    await crashing.close();
    await ann.until(() => ann.presence().at(-1) === 1, "ghost expired");
  } finally {
    await a.close();
    await crashing.close();
  }
});

Deno.test("resume on another hub with since gets exactly what was missed", async () => {
  await using redis = await startRedisServer();
  const [a, b] = await redisHubs(redis.url, 2);
  try {
    const writer = new RecordingMember("writer");
    writer.got(await b.join("r", writer));
    const reader = new RecordingMember("reader");
    reader.got(await a.join("r", reader));
    for (let i = 1; i <= 30; i++) await b.publish("r", draft(i));
    await reader.until(() => reader.seqs().at(-1) === 30, "30 on A");
    // The reader's connection drops; messages keep coming on B.
    await a.leave("r", reader);
    const lastSeen = reader.seqs().at(-1)!;
    const background = (async () => {
      for (let i = 31; i <= 130; i++) await b.publish("r", draft(i));
    })();
    await new Promise((resolve) => setTimeout(resolve, 5));
    // It reconnects to the other process, resuming from what it saw.
    const again = new RecordingMember("reader-again");
    const joined = again.got(await b.join("r", again, lastSeen));
    await background;
    await again.until(() => again.seqs().at(-1) === 130, "130 after resume");
    const seen = [...joined.history.map((m) => m.seq), ...again.seqs()];
    assertEquals(seen, range(31, 130));
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test("Redis killed and restarted: degraded, publish rejects, then fan-out resumes", async () => {
  const redis = await startRedisServer();
  const warnings: string[] = [];
  const [a, b] = await redisHubs(redis.url, 2, {
    log: (message) => warnings.push(message),
  });
  try {
    const ann = new RecordingMember("ann");
    const bob = new RecordingMember("bob");
    const carl = new RecordingMember("carl");
    ann.got(await a.join("r", ann));
    bob.got(await b.join("r", bob));
    carl.got(await b.join("r", carl));
    for (let i = 1; i <= 10; i++) await a.publish("r", draft(i));
    await bob.until(() => bob.seqs().at(-1) === 10, "10 on B");
    assertEquals([a.status(), b.status()], ["ok", "ok"]);

    await redis.kill();
    await eventually(
      () => a.status() === "degraded" && b.status() === "degraded",
      "degraded",
    );
    await assertRejects(a.publish("r", draft("lost")), BusUnavailableError);
    await assertRejects(b.publish("r", draft("lost")), BusUnavailableError);
    await assertRejects(
      a.join("r", new RecordingMember("newcomer")),
      BusUnavailableError,
    );
    assert(
      warnings.some((w) => w.includes("Redis connection lost")),
      warnings.join("\n"),
    );
    // Local members are still there; leaving never rejects.
    assertEquals(a.members(), 1);
    assertEquals(await b.leave("r", carl), true);

    // Back, empty (no persistence): seqs continue above what members saw.
    await redis.restart();
    await eventually(
      () => a.status() === "ok" && b.status() === "ok",
      "reconnected",
    );
    // Reconnection of the two connections may still be settling: retry a
    // refused publish (it stored nothing) until one goes through.
    const next = await waitUntil(
      async () => {
        try {
          return (await b.publish("r", draft(11))).seq;
        } catch (error) {
          if (!(error instanceof BusUnavailableError)) throw error;
          return undefined;
        }
      },
      "a publish to go through after the restart",
      { intervalMs: 50 },
    );
    assertEquals(next, 11);
    for (let i = 12; i <= 20; i++) await a.publish("r", draft(i));
    for (const member of [ann, bob]) {
      await member.until(() => member.seqs().at(-1) === 20, "20 after restart");
      assertEquals(member.seqs(), range(1, 20));
      assert(!member.messages().some((m) => m.id === "mlost"));
    }
    await ann.until(() => ann.presence().at(-1) === 2, "presence restored");
    assert(a.reconnects() >= 1);
    assert(warnings.some((w) => w.includes("restored")));
  } finally {
    await a.close();
    await b.close();
    await redis.stop();
  }
});

Deno.test("an unreachable Redis at start rejects with an error naming REDIS_URL", async () => {
  const port = freePort();
  const error = await createHub({
    bus: "redis",
    redisUrl: `redis://user:secret@127.0.0.1:${port}`,
  }).then(
    () => undefined,
    (error) => error,
  );
  assert(error instanceof RedisUnavailableError, String(error));
  assert(error.message.includes("REDIS_URL"), error.message);
  assert(error.message.includes(String(port)), error.message);
  assert(!error.message.includes("secret"), "password redacted");
  await assertRejects(
    createHub({ bus: "redis", redisUrl: "not a url" }),
    RedisUnavailableError,
  );
});
