/**
 * Limits inside a connection: frame size (1009), binary frames, the rate
 * limit (then 1008), slow readers (1013) and heartbeats.
 */

import assert from "node:assert/strict";
import { WsClient } from "./helpers/ws_client.ts";
import { RawWebSocket } from "./helpers/raw_ws.ts";
import { startRealtime } from "./helpers/realtime_server.ts";
import { createHub } from "../lib/rooms/hub.ts";
import { WAIT_MS, waitUntil } from "./helpers/wait.ts";

Deno.test("a frame over MAX_FRAME_BYTES closes that socket with 1009, not others", async () => {
  const server = startRealtime({ MAX_FRAME_BYTES: "1024" });
  const big = await WsClient.open(server.wsUrl);
  const other = await WsClient.open(server.wsUrl);
  try {
    big.send({ message: "é".repeat(600) }); // 1,200+ bytes in UTF-8
    const closed = await big.closed;
    assert.equal(closed.code, 1009);
    other.send({ message: "still here" });
    await other.waitFor((frame) => frame.message === "STILL HERE");
  } finally {
    await big.close();
    await other.close();
    await server.close();
  }
});

Deno.test("a binary frame gets binary_unsupported and the socket stays open", async () => {
  const server = startRealtime();
  const client = await WsClient.open(server.wsUrl);
  try {
    client.send(new Uint8Array([1, 2, 3]));
    const error = await client.waitFor((frame) => frame.type === "error");
    assert.equal(error.code, "binary_unsupported");
    client.send({ message: "text works" });
    await client.waitFor((frame) => frame.message === "TEXT WORKS");
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("rate limit: rate_limited errors with ids, then close 1008 after RATE_ABUSE_LIMIT", async () => {
  const server = startRealtime({
    RATE_PER_SECOND: "1",
    RATE_BURST: "5",
    RATE_ABUSE_LIMIT: "3",
  });
  const client = await WsClient.open(server.wsUrl);
  const other = await WsClient.open(server.wsUrl);
  try {
    // 5 pass (the burst), the next 3 are refused, and the third refusal closes.
    // (Frames sent after the close frame make Deno drop the TCP connection
    // without a handshake, so this client stops at 8.)
    for (let i = 0; i < 8; i++) {
      client.send({ type: "send", id: `r${i}`, text: "x" });
    }
    const closed = await client.closed;
    assert.equal(closed.code, 1008);
    const limited = client.ofType("error").filter((frame) =>
      frame.code === "rate_limited"
    );
    assert.deepEqual(limited.map((frame) => frame.id), ["r5", "r6", "r7"]);
    assert.deepEqual(client.ofType("ack").map((frame) => frame.id), [
      "r0",
      "r1",
      "r2",
      "r3",
      "r4",
    ]);
    other.send({ type: "ping", t: 1 });
    await other.waitFor((frame) => frame.type === "pong");
  } finally {
    await client.close();
    await other.close();
    await server.close();
  }
});

Deno.test("rate limit: strikes are forgiven once the client calms down", async () => {
  const server = startRealtime({
    RATE_PER_SECOND: "5",
    RATE_BURST: "3",
    RATE_ABUSE_LIMIT: "3",
  });
  const client = await WsClient.open(server.wsUrl);
  try {
    // Each burst of 5 pings earns 2 strikes; two bursts would pass the
    // limit of 3 unless the quiet spell between them (bucket refilled) wipes them.
    for (let burst = 0; burst < 2; burst++) {
      for (let i = 0; i < 5; i++) {
        client.send({ type: "ping", t: burst * 10 + i });
      }
      await client.waitForCount(
        (frame) => frame.type === "error" && frame.code === "rate_limited",
        2 * (burst + 1),
      );
      await new Promise((resolve) => setTimeout(resolve, 800));
    }
    client.send({ type: "ping", t: 99 });
    await client.waitFor((frame) => frame.type === "pong" && frame.t === 99);
    assert.equal(client.ofType("error").length, 4);
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("a reader that stops reading is closed with 1013; others are unaffected", async () => {
  const hub = await createHub({ kvPath: ":memory:", log: () => {} });
  const server = startRealtime({
    PROCESS_DELAY_MS: "0",
    MAX_TEXT_LENGTH: "30000",
    MAX_IN_FLIGHT: "1000",
    RATE_PER_SECOND: "100000",
    RATE_BURST: "100000",
    MAX_BUFFERED_BYTES: "262144",
  }, { hub });
  const slow = await RawWebSocket.connect(server.port);
  const talker = await WsClient.open(server.wsUrl);
  try {
    await slow.sendFrame(
      JSON.stringify({ type: "join", room: "busy", name: "slow" }),
    );
    talker.send({ type: "join", room: "busy", name: "talker" });
    await talker.waitFor((frame) => frame.type === "joined");
    // Each room message carries text and result: about 60 KB. 300 of them
    // (18 MB) are more than the kernel's socket buffers hold, so the server's
    // backlog to the reader that does not read must grow past the limit.
    // The talker sends 3 at a time (about 180 KB, under the limit) and reads
    // them before the next 3: it shares this process's one thread with the
    // server, so an unpaced burst would let its own backlog pass the limit.
    const text = "y".repeat(30000);
    for (let i = 0; i < 300; i += 3) {
      for (let j = i; j < i + 3; j++) {
        talker.send({ type: "send", id: `t${j}`, text, room: "busy" });
      }
      await talker.waitForCount(
        (frame) => frame.type === "message",
        i + 3,
        60000,
      );
    }
    assert.equal(server.realtime.stats().closes["1013"], 1);
    // The talker was never affected; now read what the slow one was sent.
    let messages = 0;
    const code = await slow.readUntilClose((frame) => {
      if (frame.opcode === 1) messages++;
    });
    assert.equal(code, 1013);
    assert.ok(messages < 300, `the backlog was cut (${messages} delivered)`);
    talker.send({ type: "ping" });
    await talker.waitFor((frame) => frame.type === "pong");
  } finally {
    slow.close();
    await talker.close();
    await server.close();
  }
});

Deno.test("heartbeat: a peer that never answers pings is closed; a live one is not", async () => {
  const server = startRealtime({ HEARTBEAT_MS: "2000" });
  const started = performance.now();
  const silent = await RawWebSocket.connect(server.port);
  const live = await WsClient.open(server.wsUrl);
  // A guard against a hang should the server never close the silent peer
  // (dropping the TCP connection makes readUntilClose return null).
  const guard = setTimeout(() => silent.close(), WAIT_MS);
  try {
    let pings = 0;
    const code = await silent.readUntilClose((frame) => {
      if (frame.opcode === 0x9) pings++;
    });
    const elapsed = performance.now() - started;
    console.log(
      `heartbeat: silent peer closed after ${
        elapsed.toFixed(0)
      } ms (HEARTBEAT_MS=2000), close code ${code}`,
    );
    assert.ok(pings > 0, "the server pinged");
    assert.equal(code, 1001, "closed by the heartbeat, with a close frame");
    await waitUntil(
      () => server.realtime.stats().closes["1001"] === 1,
      "the silent peer to be counted closed",
    );
    // The browser-style client answers pings: it outlives two more heartbeat
    // periods than the silent one needed (a window, not a synchronisation).
    await new Promise((resolve) => setTimeout(resolve, 4500));
    assert.equal(live.socket.readyState, WebSocket.OPEN);
    assert.equal(server.realtime.stats().connectionsOpen, 1);
    live.send({ type: "ping" });
    await live.waitFor((frame) => frame.type === "pong");
  } finally {
    clearTimeout(guard);
    silent.close();
    await live.close();
    await server.close();
  }
});
