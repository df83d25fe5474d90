import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { KvRoomLog } from "./kv_log.ts";
import { draft } from "./testing.ts";

async function withLog(
  historyLimit: number,
  body: (log: KvRoomLog, kv: Deno.Kv) => Promise<void>,
): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  try {
    await body(new KvRoomLog(kv, { historyLimit }), kv);
  } finally {
    kv.close();
  }
}

Deno.test("KvRoomLog assigns seqs from 1 that only grow, per room", async () => {
  await withLog(100, async (log) => {
    const a1 = await log.append("a", draft(1));
    const a2 = await log.append("a", draft(2));
    const b1 = await log.append("b", draft(3));
    assertEquals([a1.seq, a2.seq, b1.seq], [1, 2, 1]);
    assertEquals(a2, { room: "a", seq: 2, ...draft(2) });
  });
});

Deno.test("KvRoomLog gives concurrent appends distinct, gap-free seqs", async () => {
  await withLog(1000, async (log) => {
    const stored = await Promise.all(
      Array.from({ length: 200 }, (_, i) => log.append("busy", draft(i))),
    );
    const seqs = stored.map((m) => m.seq).sort((x, y) => x - y);
    assertEquals(seqs, Array.from({ length: 200 }, (_, i) => i + 1));
    const { latest, messages } = await log.snapshot("busy", { count: 1000 });
    assertEquals(latest, 200);
    assertEquals(messages.map((m) => m.seq), seqs);
  });
});

Deno.test("KvRoomLog snapshot without since returns the last N, oldest first", async () => {
  await withLog(100, async (log) => {
    for (let i = 1; i <= 30; i++) await log.append("r", draft(i));
    const snapshot = await log.snapshot("r", { count: 5 });
    assertEquals(snapshot.latest, 30);
    assertEquals(snapshot.messages.map((m) => m.seq), [26, 27, 28, 29, 30]);
    assertEquals(snapshot.messages[0].id, "m26");
    const none = await log.snapshot("empty", { count: 5 });
    assertEquals(none, { latest: 0, messages: [] });
    assertEquals((await log.snapshot("r", { count: 0 })).messages, []);
  });
});

Deno.test("KvRoomLog resume returns exactly seq > since", async () => {
  await withLog(100, async (log) => {
    for (let i = 1; i <= 20; i++) await log.append("r", draft(i));
    for (const since of [0, 1, 7, 19, 20, 25]) {
      const { latest, messages } = await log.snapshot("r", {
        since,
        count: 3,
      });
      assertEquals(latest, 20);
      const expected = [];
      for (let seq = since + 1; seq <= 20; seq++) expected.push(seq);
      assertEquals(messages.map((m) => m.seq), expected, `since ${since}`);
    }
  });
});

Deno.test("KvRoomLog keeps at most historyLimit messages per room", async () => {
  await withLog(10, async (log, kv) => {
    for (let i = 1; i <= 35; i++) await log.append("r", draft(i));
    const keys = [];
    for await (const entry of kv.list({ prefix: ["room", "r", "msg"] })) {
      keys.push(entry.key[3]);
    }
    assertEquals(keys, [26, 27, 28, 29, 30, 31, 32, 33, 34, 35]);
    // A resume from before the window gets what is retained, no more.
    const { messages } = await log.snapshot("r", { since: 3, count: 10 });
    assertEquals(messages.map((m) => m.seq)[0], 26);
    assertEquals(messages.length, 10);
  });
});

Deno.test("KvRoomLog trim removes leftovers after the limit shrinks", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const wide = new KvRoomLog(kv, { historyLimit: 50 });
    for (let i = 1; i <= 40; i++) await wide.append("r", draft(i));
    const narrow = new KvRoomLog(kv, { historyLimit: 5 });
    assertEquals(await narrow.trim("r"), 35);
    const { messages } = await narrow.snapshot("r", { since: 0, count: 99 });
    assertEquals(messages.map((m) => m.seq), [36, 37, 38, 39, 40]);
    await narrow.append("r", draft(41));
    const after = await narrow.range("r", 0, 100);
    assertEquals(after.map((m) => m.seq), [37, 38, 39, 40, 41]);
  } finally {
    kv.close();
  }
});

Deno.test("KvRoomLog range is exclusive below and inclusive above", async () => {
  await withLog(100, async (log) => {
    for (let i = 1; i <= 10; i++) await log.append("r", draft(i));
    assertEquals((await log.range("r", 3, 6)).map((m) => m.seq), [4, 5, 6]);
    assertEquals(await log.range("r", 6, 6), []);
    assertEquals(
      (await log.range("r", 8, Infinity)).map((m) => m.seq),
      [9, 10],
    );
  });
});

Deno.test("KvRoomLog rejects a non-positive limit", () => {
  let threw = false;
  try {
    new KvRoomLog({} as Deno.Kv, { historyLimit: 0 });
  } catch (error) {
    threw = error instanceof RangeError;
  }
  assert(threw);
});

Deno.test("KvRoomLog: two logs on one KV take turns without reusing a seq", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const first = new KvRoomLog(kv, { historyLimit: 100 });
    const second = new KvRoomLog(kv, { historyLimit: 100 });
    const seqs = [];
    // Each log remembers the counter from its own last commit; the other's
    // writes must make it read the counter again.
    for (let i = 0; i < 6; i++) {
      seqs.push((await (i % 2 ? second : first).append("r", draft(i))).seq);
    }
    seqs.push(...(await Promise.all([
      first.append("r", draft(6)),
      second.append("r", draft(7)),
      first.append("r", draft(8)),
    ])).map((m) => m.seq));
    assertEquals(seqs.sort((x, y) => x - y), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // A log opened later (a restart) continues from the stored counter.
    const restarted = new KvRoomLog(kv, { historyLimit: 100 });
    assertEquals((await restarted.append("r", draft(9))).seq, 10);
    assertEquals(await restarted.raiseSeq("r", 20), 20);
    assertEquals((await first.append("r", draft(10))).seq, 21);
  } finally {
    kv.close();
  }
});

Deno.test("KvRoomLog commits a burst of appends together, in order", async () => {
  await withLog(1000, async (log, kv) => {
    const stored = await Promise.all(
      Array.from({ length: 50 }, (_, i) => log.append("burst", draft(i))),
    );
    // Queued appends keep their call order.
    assertEquals(stored.map((m) => m.id), stored.map((_, i) => `m${i}`));
    assertEquals(stored.map((m) => m.seq), stored.map((_, i) => i + 1));
    const versionstamps = new Set<string>();
    for await (const entry of kv.list({ prefix: ["room", "burst", "msg"] })) {
      versionstamps.add(entry.versionstamp);
    }
    assert(
      versionstamps.size < 50,
      `expected batched commits, got ${versionstamps.size} commits`,
    );
  });
});

Deno.test("KvRoomLog: a message too large for KV fails alone", async () => {
  await withLog(100, async (log) => {
    const huge = { ...draft(99), text: "x".repeat(70_000) };
    const results = await Promise.allSettled([
      log.append("r", draft(1)),
      log.append("r", draft(2)),
      log.append("r", huge),
      log.append("r", draft(3)),
    ]);
    assertEquals(results.map((r) => r.status), [
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    const { latest, messages } = await log.snapshot("r", { count: 10 });
    assertEquals(latest, 3);
    assertEquals(messages.map((m) => [m.seq, m.id]), [
      [1, "m1"],
      [2, "m2"],
      [3, "m3"],
    ]);
  });
});
