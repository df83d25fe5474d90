/**
 * The slow-reader limit bounds the backlog of frames a client has not read,
 * not the size of one frame: a long history on join is larger than
 * MAX_BUFFERED_BYTES on its own and must still be delivered.
 */

import assert from "node:assert/strict";
import { WsClient } from "./helpers/ws_client.ts";
import { startRealtime } from "./helpers/realtime_server.ts";
import { createHub } from "../lib/rooms/hub.ts";

Deno.test("a joined frame larger than MAX_BUFFERED_BYTES is delivered, not treated as a slow reader", async () => {
  const hub = await createHub({
    kvPath: ":memory:",
    historyLimit: 1000,
    log: () => {},
  });
  const server = startRealtime({ MAX_BUFFERED_BYTES: "65536" }, { hub });
  const text = "z".repeat(2000);
  for (let i = 0; i < 100; i++) {
    await hub.publish("archive", {
      id: `m${i}`,
      from: "Ann",
      text,
      message: text.toUpperCase(),
      time: "12:00:00",
      processor: "upper",
    });
  }
  const client = await WsClient.open(server.wsUrl);
  try {
    client.send({ type: "join", room: "archive", name: "Bob", since: 0 });
    const joined = await client.waitFor((frame) => frame.type === "joined");
    assert.equal(joined.history.length, 100);
    assert.ok(
      JSON.stringify(joined).length > 65536 * 4,
      "the frame is well over the limit",
    );
    client.send({ type: "ping", t: 7 });
    await client.waitFor((frame) => frame.type === "pong" && frame.t === 7);
    assert.equal(server.realtime.stats().closes["1013"], undefined);
  } finally {
    await client.close();
    await server.close();
  }
});
