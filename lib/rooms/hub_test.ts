import {
  deepStrictEqual as assertEquals,
  ok as assert,
  rejects as assertRejects,
} from "node:assert/strict";
import type { JoinedFrame } from "../protocol.ts";
import { BusUnavailableError, createHub, Hub, HubClosedError } from "./hub.ts";
import { KvRoomLog } from "./kv_log.ts";
import { LocalBus } from "./local_bus.ts";
import { LocalPresence } from "./presence.ts";
import { draft, RecordingMember } from "./testing.ts";
import type { Bus, BusListener } from "./types.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("join without since gets the last HISTORY_ON_JOIN messages", async () => {
  const hub = await createHub({ kvPath: ":memory:", historyOnJoin: 3 });
  try {
    for (let i = 1; i <= 5; i++) await hub.publish("lobby", draft(i));
    const ann = new RecordingMember("c1", "Ann");
    const joined = ann.got(await hub.join("lobby", ann));
    assertEquals(joined.type, "joined");
    assertEquals(joined.room, "lobby");
    assertEquals(joined.name, "Ann");
    assertEquals(joined.seq, 5);
    assertEquals(joined.online, 1);
    assertEquals(joined.history.map((m) => m.seq), [3, 4, 5]);
    assertEquals(joined.history[2], { room: "lobby", seq: 5, ...draft(5) });
  } finally {
    await hub.close();
  }
});

Deno.test("every member, sender included, gets each message once, in seq order", async () => {
  const hub = await createHub({ kvPath: ":memory:" });
  try {
    const members = [
      new RecordingMember("a"),
      new RecordingMember("b"),
      new RecordingMember("c"),
    ];
    for (const member of members) member.got(await hub.join("r", member));
    await tick();
    const sent = await Promise.all(
      Array.from({ length: 50 }, (_, i) => hub.publish("r", draft(i, "a"))),
    );
    assertEquals(
      sent.map((m) => m.seq).sort((x, y) => x - y),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    for (const member of members) {
      assertEquals(
        member.messages().map((m) => m.seq),
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
    }
    const first = members[0].messages()[0];
    assertEquals(first.room, "r");
    assertEquals(first.from, "a");
    // Another room's members get nothing.
    const elsewhere = new RecordingMember("d");
    elsewhere.got(await hub.join("other", elsewhere));
    await hub.publish("r", draft("x"));
    assertEquals(elsewhere.messages(), []);
  } finally {
    await hub.close();
  }
});

Deno.test("a broadcast frame is encoded once, not once per member", async () => {
  const hub = await createHub({ kvPath: ":memory:" });
  const received: string[] = [];
  try {
    for (let i = 0; i < 100; i++) {
      await hub.join("big", {
        id: `m${i}`,
        name: "x",
        send: (s) => received.push(s),
      });
    }
    await tick();
    received.length = 0;
    const original = JSON.stringify;
    let calls = 0;
    JSON.stringify = ((...args: Parameters<typeof original>) => {
      calls++;
      return original(...args);
    }) as typeof JSON.stringify;
    try {
      await hub.publish("big", draft(1));
    } finally {
      JSON.stringify = original;
    }
    assertEquals(received.length, 100);
    assert(received.every((frame) => frame === received[0]));
    assert(calls <= 2, `JSON.stringify called ${calls} times`);
  } finally {
    await hub.close();
  }
});

Deno.test("resume with since returns exactly the missed messages, then live ones", async () => {
  const hub = await createHub({ kvPath: ":memory:", historyOnJoin: 2 });
  try {
    const ann = new RecordingMember("c1");
    ann.got(await hub.join("r", ann));
    for (let i = 1; i <= 10; i++) await hub.publish("r", draft(i));
    // Live frames for a new member are held until the task after `joined`
    // (so `joined` goes first); let that pass before leaving.
    await tick();
    await hub.leave("r", ann);
    const lastSeen = ann.messages().at(-1)!.seq;
    assertEquals(lastSeen, 10);
    for (let i = 11; i <= 15; i++) await hub.publish("r", draft(i));

    const again = new RecordingMember("c1-again");
    const joined = again.got(await hub.join("r", again, 7));
    assertEquals(joined.history.map((m) => m.seq), [
      8,
      9,
      10,
      11,
      12,
      13,
      14,
      15,
    ]);
    assertEquals(joined.seq, 15);
    await tick();
    await hub.publish("r", draft(16));
    assertEquals(again.messages().map((m) => m.seq), [16]);

    const upToDate = new RecordingMember("c2");
    const none = upToDate.got(await hub.join("r", upToDate, 16));
    assertEquals(none.history, []);
  } finally {
    await hub.close();
  }
});

Deno.test("messages published while a member joins are neither lost nor duplicated", async () => {
  const hub = await createHub({ kvPath: ":memory:", historyOnJoin: 1000 });
  try {
    const writer = (async () => {
      for (let i = 1; i <= 300; i++) await hub.publish("race", draft(i));
    })();
    const joiners: RecordingMember[] = [];
    for (let j = 0; j < 10; j++) {
      const client = new RecordingMember(`j${j}`);
      joiners.push(client);
      // Sends `joined` as soon as the promise resolves, like the handler.
      client.got(await hub.join("race", client, j % 2 === 0 ? 0 : undefined));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await writer;
    for (const client of joiners) {
      const joined = client.frames[0] as unknown as JoinedFrame;
      assertEquals(joined.type, "joined");
      // A late joiner may get everything from history (the writer can finish
      // first on a busy machine), so the last seq is looked for in both.
      await client.until(
        () =>
          (client.messages().at(-1)?.seq ?? joined.history.at(-1)?.seq) ===
            300,
        `${client.id} to reach 300`,
      );
      const seqs = [
        ...joined.history.map((m) => m.seq),
        ...client.messages().map((m) => m.seq),
      ];
      assertEquals(
        seqs,
        Array.from({ length: 300 }, (_, i) => i + 1),
        `${client.id} saw every seq once`,
      );
    }
  } finally {
    await hub.close();
  }
});

Deno.test("presence counts members and is broadcast on every change", async () => {
  const hub = await createHub({ kvPath: ":memory:" });
  try {
    const ann = new RecordingMember("a");
    const bob = new RecordingMember("b");
    assertEquals(ann.got(await hub.join("r", ann)).online, 1);
    await tick();
    assertEquals(bob.got(await hub.join("r", bob)).online, 2);
    await tick();
    assertEquals(ann.presence(), [1, 2]);
    assertEquals(hub.online("r"), 2);
    assertEquals(hub.rooms(), 1);
    assertEquals(hub.members(), 2);
    assert(await hub.leave("r", bob));
    assertEquals(await hub.leave("r", bob), false);
    assertEquals(ann.presence(), [1, 2, 1]);
    await hub.publish("r", draft(1));
    assertEquals(bob.messages(), []);
    await hub.leave("r", ann);
    assertEquals(hub.rooms(), 0);
    assertEquals(hub.online("r"), 0);
  } finally {
    await hub.close();
  }
});

Deno.test("a member whose send throws does not stop delivery to others", async () => {
  const warnings: string[] = [];
  const hub = await createHub({
    kvPath: ":memory:",
    log: (message) => warnings.push(message),
  });
  try {
    await hub.join("r", {
      id: "broken",
      name: "x",
      send: () => {
        throw new Error("socket closed");
      },
    });
    const ok = new RecordingMember("ok");
    ok.got(await hub.join("r", ok));
    await tick();
    await hub.publish("r", draft(1));
    assertEquals(ok.messages().map((m) => m.seq), [1]);
    assert(warnings.some((w) => w.includes("socket closed")));
  } finally {
    await hub.close();
  }
});

/** Delivers published payloads in a scrambled order and can drop some. */
class ScramblingBus implements Bus {
  healthy = true;
  readonly #rooms = new Set<string>();
  #listener: BusListener = () => {};
  held: Array<[string, string]> = [];
  drop = new Set<number>();
  publish(room: string, payload: string): Promise<void> {
    if (!this.healthy) return Promise.reject(new Error("bus down"));
    const seq = payload.startsWith("m")
      ? Number(payload.slice(1, payload.indexOf(" ")))
      : -1;
    if (this.drop.has(seq)) return Promise.resolve();
    if (seq === -1) {
      if (this.#rooms.has(room)) this.#listener(room, payload);
    } else this.held.push([room, payload]);
    return Promise.resolve();
  }
  release(order: (held: Array<[string, string]>) => Array<[string, string]>) {
    const batch = order(this.held);
    this.held = [];
    for (const [room, payload] of batch) {
      if (this.#rooms.has(room)) this.#listener(room, payload);
    }
  }
  subscribe(room: string) {
    this.#rooms.add(room);
    return Promise.resolve();
  }
  unsubscribe(room: string) {
    this.#rooms.delete(room);
    return Promise.resolve();
  }
  listen(listener: BusListener) {
    this.#listener = listener;
  }
  onReconnect() {}
  close() {
    return Promise.resolve();
  }
}

async function scrambledHub(gapWaitMs: number) {
  const kv = await Deno.openKv(":memory:");
  const bus = new ScramblingBus();
  const warnings: string[] = [];
  const hub = new Hub({
    log: new KvRoomLog(kv, { historyLimit: 100 }),
    bus,
    presence: new LocalPresence(),
    historyOnJoin: 10,
    historyLimit: 100,
    gapWaitMs,
    heartbeatMs: 0,
    warn: (message) => warnings.push(message),
    onClose: () => Promise.resolve(kv.close()),
  });
  return { hub, bus, warnings };
}

Deno.test("out-of-order fan-out is delivered in seq order", async () => {
  const { hub, bus } = await scrambledHub(10_000);
  try {
    const ann = new RecordingMember("a");
    ann.got(await hub.join("r", ann));
    await tick();
    for (let i = 1; i <= 20; i++) await hub.publish("r", draft(i));
    bus.release((held) => held.reverse());
    assertEquals(
      ann.messages().map((m) => m.seq),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  } finally {
    await hub.close();
  }
});

Deno.test("a gap the bus never fills is read from history after gapWaitMs", async () => {
  const { hub, bus } = await scrambledHub(20);
  try {
    const ann = new RecordingMember("a");
    ann.got(await hub.join("r", ann));
    await tick();
    bus.drop = new Set([3, 4]);
    for (let i = 1; i <= 6; i++) await hub.publish("r", draft(i));
    bus.release((held) => held);
    assertEquals(ann.messages().map((m) => m.seq), [1, 2]);
    await ann.until(() => ann.messages().length === 6, "gap fill");
    assertEquals(ann.messages().map((m) => m.seq), [1, 2, 3, 4, 5, 6]);
    assertEquals(ann.messages()[2].id, "m3");
  } finally {
    await hub.close();
  }
});

Deno.test("publish rejects with BusUnavailableError when it cannot fan out", async () => {
  const { hub, bus } = await scrambledHub(20);
  try {
    const ann = new RecordingMember("a");
    ann.got(await hub.join("r", ann));
    bus.healthy = false;
    await assertRejects(hub.publish("r", draft(1)), BusUnavailableError);
    assertEquals(hub.status(), "degraded");
    await assertRejects(
      hub.join("r", new RecordingMember("b")),
      BusUnavailableError,
    );
    bus.healthy = true;
    assertEquals(hub.status(), "ok");
    const message = await hub.publish("r", draft(2));
    assertEquals(message.seq, 1);
  } finally {
    await hub.close();
  }
});

Deno.test("publish rejects with BusUnavailableError when it cannot store", async () => {
  const kv = await Deno.openKv(":memory:");
  const log = new KvRoomLog(kv, { historyLimit: 10 });
  const hub = new Hub({
    log,
    bus: new LocalBus(),
    presence: new LocalPresence(),
    historyOnJoin: 10,
    historyLimit: 10,
    heartbeatMs: 0,
  });
  try {
    kv.close();
    await assertRejects(hub.publish("r", draft(1)), BusUnavailableError);
  } finally {
    await hub.close();
  }
});

Deno.test("a closed hub refuses joins and publishes", async () => {
  const hub = await createHub({ kvPath: ":memory:" });
  const ann = new RecordingMember("a");
  await hub.join("r", ann);
  await hub.close();
  await assertRejects(hub.join("r", ann), HubClosedError);
  await assertRejects(hub.publish("r", draft(1)), HubClosedError);
  assertEquals(hub.status(), "degraded");
  assertEquals(hub.rooms(), 0);
});

Deno.test("createHub rejects bad settings clearly", async () => {
  await assertRejects(createHub({ bus: "redis" }), /REDIS_URL/);
  await assertRejects(
    createHub({ bus: "carrier-pigeon" as "local" }),
    /Unknown bus/,
  );
  await assertRejects(
    createHub({ kvPath: ":memory:", historyLimit: 0 }),
    /HISTORY_LIMIT/,
  );
  await assertRejects(
    createHub({ kvPath: ":memory:", historyOnJoin: -1 }),
    /HISTORY_ON_JOIN/,
  );
});
