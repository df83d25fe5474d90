/**
 * lib/client/socket_client.ts against the real /ws server (no fakes): results
 * come back by id, and a room resumes after a disconnect with exactly the
 * messages it missed.
 */
import assert from "node:assert/strict";
import {
  SocketClient,
  type TrackedMessage,
} from "../lib/client/socket_client.ts";
import type { RoomMessage } from "../lib/protocol.ts";
import { createHub } from "../lib/rooms/hub.ts";
import { startRealtime } from "./helpers/realtime_server.ts";
import { WAIT_MS } from "./helpers/wait.ts";

/** Resolves once `check()` is true, re-checking on every client event. */
function until(
  client: SocketClient,
  check: () => boolean,
  what: string,
  ms = WAIT_MS,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const offs: (() => void)[] = [];
    const done = (error?: Error) => {
      clearTimeout(timer);
      offs.forEach((off) => off());
      error ? reject(error) : resolve();
    };
    const timer = setTimeout(
      () => done(new Error(`timed out waiting for ${what}`)),
      ms,
    );
    // "frame" fires before the client has applied the frame: check after it.
    const test = () =>
      queueMicrotask(() => {
        if (check()) done();
      });
    offs.push(client.on("frame", test), client.on("state", test));
    test();
  });
}

Deno.test("SocketClient gets results by id and resumes a room without gap or duplicate", async () => {
  const hub = await createHub({ kvPath: ":memory:" });
  const server = startRealtime({}, { hub });
  const ann = new SocketClient({ url: server.wsUrl, clientName: "test-ann" });
  const bob = new SocketClient({ url: server.wsUrl, clientName: "test-bob" });
  try {
    const settled = new Map<string, TrackedMessage>();
    ann.on("outgoing", (m) => {
      if (m.status === "done" || m.status === "failed") settled.set(m.id, m);
    });
    ann.connect();
    bob.connect();
    await until(ann, () => ann.snapshot.welcome !== null, "welcome");
    assert.ok(ann.snapshot.welcome?.processors.includes("upper"));

    const ids = ["one", "two", "three"].map((text) => ann.send(text));
    await until(ann, () => settled.size === 3, "three results");
    assert.deepEqual(ids.map((id) => settled.get(id)?.result), [
      "ONE",
      "TWO",
      "THREE",
    ]);

    const room = `r-${crypto.randomUUID().slice(0, 8)}`;
    const bobSaw: RoomMessage[] = [];
    bob.on("message", (m) => bobSaw.push(m));
    ann.join(room, "Ann");
    bob.join(room, "Bob");
    await until(bob, () => bob.online(room) === 2, "both online");

    for (const text of ["a", "b", "c"]) ann.send(text, { room });
    await until(bob, () => bobSaw.length === 3, "bob sees 3");

    bob.disconnect();
    await until(ann, () => ann.online(room) === 1, "bob gone");
    for (const text of ["d", "e"]) ann.send(text, { room });
    await until(
      ann,
      () => ann.lastSeq(room) === bob.lastSeq(room)! + 2,
      "2 more",
    );

    bob.connect();
    await until(bob, () => bobSaw.length >= 5, "bob catches up");
    // A live message after the resume: whatever the resume could duplicate
    // (history, re-sent frames) reaches Bob before it.
    ann.send("f", { room });
    await until(bob, () => bobSaw.some((m) => m.message === "F"), "bob sees f");
    assert.deepEqual(bobSaw.map((m) => m.message), [
      "A",
      "B",
      "C",
      "D",
      "E",
      "F",
    ]);
    const seqs = bobSaw.map((m) => m.seq);
    assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y));
    assert.equal(new Set(seqs).size, 6);
  } finally {
    ann.destroy();
    bob.destroy();
    await server.close();
  }
});
