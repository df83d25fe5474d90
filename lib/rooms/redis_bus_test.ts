import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { startRedisServer } from "../../tests/helpers/redis_server.ts";
import { RedisBus } from "./redis_bus.ts";
import { RedisKeys } from "./redis_keys.ts";
import { RedisLink } from "./redis_link.ts";

Deno.test("RedisBus fans out between connections, per room, in order", async () => {
  await using redis = await startRedisServer();
  const keys = new RedisKeys("bus-test:");
  const linkA = await RedisLink.connect(redis.url);
  const linkB = await RedisLink.connect(redis.url);
  const a = new RedisBus(linkA, keys);
  const b = new RedisBus(linkB, keys);
  try {
    const onA: string[] = [];
    const onB: string[] = [];
    a.listen((room, payload) => onA.push(`${room}:${payload}`));
    b.listen((room, payload) => onB.push(`${room}:${payload}`));
    assertEquals([a.healthy, b.healthy], [true, true]);
    await a.subscribe("r");
    await b.subscribe("r");
    await b.subscribe("s");
    for (let i = 0; i < 500; i++) await a.publish(i % 5 ? "r" : "s", `${i}`);
    // Each connection keeps order: once "r:end" is in, all before it is too.
    await b.unsubscribe("s");
    await a.publish("s", "after");
    await b.publish("r", "end");
    while (!onA.includes("r:end") || !onB.includes("r:end")) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const expectR = Array.from({ length: 500 }, (_, i) => i)
      .filter((i) => i % 5).map((i) => `r:${i}`).concat("r:end");
    assertEquals(onA, expectR);
    assertEquals(onB.filter((x) => x.startsWith("r:")), expectR);
    assertEquals(onB.filter((x) => x.startsWith("s:")).length, 100);
    assertEquals(onB.includes("s:after"), false);
  } finally {
    await a.close();
    await b.close();
    await linkA.close();
    await linkB.close();
  }
});
