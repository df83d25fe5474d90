import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { BroadcastBus } from "./broadcast_bus.ts";

function collector() {
  const got: string[] = [];
  let wake = () => {};
  return {
    got,
    listener: (room: string, payload: string) => {
      got.push(`${room}:${payload}`);
      wake();
    },
    async until(count: number) {
      while (got.length < count) {
        await new Promise<void>((resolve) => wake = resolve);
      }
    },
  };
}

Deno.test("BroadcastBus reaches another instance and its own subscribers", async () => {
  const name = `rooms-test-${crypto.randomUUID()}`;
  const a = new BroadcastBus(name);
  const b = new BroadcastBus(name);
  try {
    const onA = collector();
    const onB = collector();
    a.listen(onA.listener);
    b.listen(onB.listener);
    await a.subscribe("r");
    await b.subscribe("r");
    await a.publish("r", "1");
    await a.publish("other", "x");
    await a.publish("r", "2");
    await onB.until(2);
    assertEquals(onB.got, ["r:1", "r:2"]);
    assertEquals(onA.got, ["r:1", "r:2"]);
    await b.unsubscribe("r");
    await a.publish("r", "3");
    await b.publish("r", "4");
    await onA.until(4);
    assertEquals(onA.got, ["r:1", "r:2", "r:3", "r:4"]);
    assertEquals(onB.got, ["r:1", "r:2"]);
  } finally {
    await a.close();
    await b.close();
  }
});
