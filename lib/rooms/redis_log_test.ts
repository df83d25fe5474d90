import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { startRedisServer } from "../../tests/helpers/redis_server.ts";
import { RedisKeys } from "./redis_keys.ts";
import { RedisLink } from "./redis_link.ts";
import { RedisRoomLog } from "./redis_log.ts";
import type { MessageDraft } from "./types.ts";

function draft(n: number): MessageDraft {
  return {
    id: `m${n}`,
    from: "Ann",
    text: `x"${n}\\`,
    message: `X"${n}\\`,
    time: "12:00:00",
    processor: "upper",
  };
}

Deno.test("RedisRoomLog: seqs, history, resume, retention and raiseSeq", async (t) => {
  await using redis = await startRedisServer();
  const link = await RedisLink.connect(redis.url);
  const other = await RedisLink.connect(redis.url);
  const keys = new RedisKeys("test:");
  const log = new RedisRoomLog(link, keys, 10);
  const otherLog = new RedisRoomLog(other, keys, 10);
  try {
    await t.step("seqs start at 1 and only grow, per room", async () => {
      const a1 = await log.append("a", draft(1));
      const a2 = await otherLog.append("a", draft(2));
      const b1 = await log.append("b", draft(3));
      assertEquals([a1.seq, a2.seq, b1.seq], [1, 2, 1]);
      assertEquals(a2, { room: "a", seq: 2, ...draft(2) });
    });

    await t.step(
      "concurrent appends from two connections never collide",
      async () => {
        const stored = await Promise.all(
          Array.from(
            { length: 200 },
            (_, i) => (i % 2 ? log : otherLog).append("c", draft(i)),
          ),
        );
        assertEquals(
          stored.map((m) => m.seq).sort((x, y) => x - y),
          Array.from({ length: 200 }, (_, i) => i + 1),
        );
      },
    );

    await t.step("stored JSON round-trips quotes and backslashes", async () => {
      const { messages } = await log.snapshot("a", { count: 5 });
      assertEquals(messages, [
        { room: "a", seq: 1, ...draft(1) },
        { room: "a", seq: 2, ...draft(2) },
      ]);
    });

    await t.step(
      "history is trimmed to the limit, resume is exact",
      async () => {
        for (let i = 1; i <= 25; i++) await log.append("r", draft(i));
        const count = await link.commands.sendCommand([
          "ZCARD",
          keys.history("r"),
        ]);
        assertEquals(count, 10);
        const last = await log.snapshot("r", { count: 3 });
        assertEquals(last.latest, 25);
        assertEquals(last.messages.map((m) => m.seq), [23, 24, 25]);
        for (const since of [0, 15, 20, 24, 25, 30]) {
          const { messages } = await log.snapshot("r", { since, count: 3 });
          const expected = [];
          for (let seq = Math.max(since, 15) + 1; seq <= 25; seq++) {
            expected.push(seq);
          }
          assertEquals(messages.map((m) => m.seq), expected, `since ${since}`);
        }
        assertEquals((await log.range("r", 20, 22)).map((m) => m.seq), [
          21,
          22,
        ]);
        assertEquals((await log.range("r", 23, Infinity)).map((m) => m.seq), [
          24,
          25,
        ]);
        assertEquals(await log.snapshot("none", { count: 5 }), {
          latest: 0,
          messages: [],
        });
      },
    );

    await t.step(
      "raiseSeq lifts a reset counter, never lowers one",
      async () => {
        assertEquals(await log.raiseSeq("r", 10), 25);
        assertEquals(await log.raiseSeq("fresh", 40), 40);
        assertEquals((await log.append("fresh", draft(1))).seq, 41);
      },
    );
  } finally {
    await link.close();
    await other.close();
  }
});
