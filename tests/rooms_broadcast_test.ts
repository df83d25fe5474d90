/**
 * Two hubs in "broadcast" mode (Deno Deploy's model): history, seqs and
 * presence in one shared Deno KV, fan-out over BroadcastChannel. In the CLI
 * both hubs live in this process, which is what BroadcastChannel reaches.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { createHub } from "../lib/rooms/hub.ts";
import { draft, RecordingMember } from "../lib/rooms/testing.ts";

Deno.test("broadcast hubs share seqs, history, fan-out and presence", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rooms-kv-" });
  const config = {
    bus: "broadcast" as const,
    kvPath: `${dir}/rooms.kv`,
    broadcastChannel: `rooms-test-${crypto.randomUUID()}`,
    historyOnJoin: 5,
    gapWaitMs: 50,
    log: () => {},
  };
  const a = await createHub(config);
  const b = await createHub(config);
  try {
    const ann = new RecordingMember("ann");
    const bob = new RecordingMember("bob");
    assertEquals(ann.got(await a.join("r", ann)).online, 1);
    assertEquals(bob.got(await b.join("r", bob)).online, 2);
    await ann.until(() => ann.presence().at(-1) === 2, "presence 2 on A");

    const total = 300;
    const seqs = await Promise.all(
      Array.from(
        { length: total },
        (_, i) => (i % 2 ? a : b).publish("r", draft(i)).then((m) => m.seq),
      ),
    );
    assertEquals(
      seqs.sort((x, y) => x - y),
      Array.from({ length: total }, (_, i) => i + 1),
    );
    for (const member of [ann, bob]) {
      await member.until(() => member.seqs().length >= total, "all messages");
      assertEquals(
        member.seqs(),
        Array.from({ length: total }, (_, i) => i + 1),
      );
    }
    const late = new RecordingMember("late");
    const joined = late.got(await a.join("r", late, total - 2));
    assertEquals(joined.history.map((m) => m.seq), [total - 1, total]);
    assertEquals(joined.online, 3);
    // Wait for 3 first: otherwise the 2 from before the join would already
    // satisfy the check after the leave.
    await bob.until(() => bob.presence().at(-1) === 3, "presence 3 on B");
    await ann.until(() => ann.presence().at(-1) === 3, "presence 3 on A");

    await b.leave("r", bob);
    await ann.until(() => ann.presence().at(-1) === 2, "presence after leave");
    await late.until(() => late.presence().at(-1) === 2, "presence on late");
  } finally {
    await a.close();
    await b.close();
    await Deno.remove(dir, { recursive: true });
  }
});
