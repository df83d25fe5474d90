import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { LocalBus } from "./local_bus.ts";

Deno.test("LocalBus delivers only subscribed rooms, in publish order", async () => {
  const bus = new LocalBus();
  const got: string[] = [];
  bus.listen((room, payload) => got.push(`${room}:${payload}`));
  await bus.publish("a", "before");
  await bus.subscribe("a");
  await bus.publish("a", "1");
  await bus.publish("b", "other");
  await bus.publish("a", "2");
  await bus.unsubscribe("a");
  await bus.publish("a", "after");
  assertEquals(got, ["a:1", "a:2"]);
  await bus.close();
});
