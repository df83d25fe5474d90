/**
 * The typed protocol over a real socket: hello/welcome, acks and results with
 * ids, errors with ids, the in-flight bound, cancellation on close, the pow
 * processor in the worker pool, forecast series.
 */

import assert from "node:assert/strict";
import { WsClient } from "./helpers/ws_client.ts";
import { startRealtime } from "./helpers/realtime_server.ts";
import { verifyProofOfWork } from "../lib/processing/pow.ts";
import type { RoomHub } from "../lib/server/room_hub.ts";
import { waitUntil } from "./helpers/wait.ts";

Deno.test("hello gets welcome with limits and processors", async () => {
  const server = startRealtime({ MAX_IN_FLIGHT: "7", RATE_BURST: "33" });
  const client = await WsClient.open(server.wsUrl);
  try {
    client.send({ type: "hello", protocol: 1, client: "test" });
    const welcome = await client.waitFor((frame) => frame.type === "welcome");
    assert.equal(welcome.protocol, 1);
    assert.equal(typeof welcome.server, "string");
    assert.match(welcome.connectionId, /^[0-9a-f-]{36}$/);
    assert.equal(welcome.limits.maxInFlight, 7);
    assert.equal(welcome.limits.rateBurst, 33);
    assert.equal(welcome.limits.maxTextLength, 2000);
    assert.deepEqual(welcome.processors, ["upper", "pow"]);
    client.send({ type: "hello", protocol: 2 });
    const error = await client.waitFor((frame) => frame.type === "error");
    assert.equal(error.code, "invalid_field");
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("send is acked, then its result carries the id", async () => {
  const server = startRealtime({ PROCESS_DELAY_MS: "30" });
  const client = await WsClient.open(server.wsUrl);
  try {
    client.send({ type: "send", id: "a1", text: "abc" });
    const result = await client.waitFor((frame) => frame.type === "result");
    assert.deepEqual(client.frames[0], { type: "ack", id: "a1" });
    assert.equal(result.id, "a1");
    assert.equal(result.message, "ABC");
    assert.equal(result.processor, "upper");
    assert.equal(typeof result.elapsedMs, "number");
    client.send({ type: "ping", t: 42 });
    assert.deepEqual(
      await client.waitFor((frame) => frame.type === "pong"),
      { type: "pong", t: 42 },
    );
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("errors carry the id of the message they concern", async () => {
  const server = startRealtime({ MAX_TEXT_LENGTH: "10" });
  const client = await WsClient.open(server.wsUrl);
  try {
    const cases: [unknown, string, string | undefined][] = [
      [{ type: "send", id: "e1", text: "" }, "text_empty", "e1"],
      [{ type: "send", id: "e2", text: "x".repeat(11) }, "text_too_long", "e2"],
      [
        { type: "send", id: "e3", text: "x", processor: "nope" },
        "unknown_processor",
        "e3",
      ],
      [
        { type: "send", id: "e4", text: "x", room: "lobby" },
        "not_in_room",
        "e4",
      ],
      [{ type: "send", id: "e5" }, "invalid_field", "e5"],
      [{ type: "wat", id: "e6" }, "unknown_type", "e6"],
      [{ type: "leave", room: "lobby" }, "not_in_room", undefined],
      [
        { type: "join", room: "bad room", name: "x" },
        "invalid_name",
        undefined,
      ],
      [{ message: 5 }, "invalid_field", undefined],
    ];
    for (const [frame] of cases) client.send(frame);
    const errors = await client.waitForCount(
      (frame) => frame.type === "error",
      cases.length,
    );
    assert.deepEqual(
      errors.map((frame) => [frame.code, frame.id]),
      cases.map(([, code, id]) => [code, id]),
    );
    assert.equal(client.ofType("ack").length, 0);
    assert.equal(
      server.realtime.stats().errors.not_in_room,
      2,
    );
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("a duplicate in-flight id is refused; the first still completes", async () => {
  const server = startRealtime({ PROCESS_DELAY_MS: "200" });
  const client = await WsClient.open(server.wsUrl);
  try {
    client.send({ type: "send", id: "d", text: "one" });
    client.send({ type: "send", id: "d", text: "two" });
    const error = await client.waitFor((frame) => frame.type === "error");
    assert.equal(error.code, "invalid_field");
    assert.equal(error.id, "d");
    const result = await client.waitFor((frame) => frame.type === "result");
    assert.equal(result.message, "ONE");
    // Once finished, the id may be reused.
    client.send({ type: "send", id: "d", text: "three" });
    await client.waitFor((frame) => frame.message === "THREE");
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("more than MAX_IN_FLIGHT at once: the excess gets too_many_in_flight with its id", async () => {
  const server = startRealtime({ PROCESS_DELAY_MS: "200", MAX_IN_FLIGHT: "3" });
  const client = await WsClient.open(server.wsUrl);
  try {
    for (let i = 0; i < 5; i++) {
      client.send({ type: "send", id: `m${i}`, text: `t${i}` });
    }
    const results = await client.waitForCount(
      (frame) => frame.type === "result",
      3,
    );
    const refused = client.ofType("error");
    assert.deepEqual(results.map((frame) => frame.id).sort(), [
      "m0",
      "m1",
      "m2",
    ]);
    assert.deepEqual(
      refused.map((frame) => [frame.code, frame.id]),
      [["too_many_in_flight", "m3"], ["too_many_in_flight", "m4"]],
    );
    assert.deepEqual(client.ofType("ack").map((frame) => frame.id), [
      "m0",
      "m1",
      "m2",
    ]);
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("closing the socket cancels its jobs: no processor keeps running", async () => {
  // Jobs that would outlive the test unless cancelled: a job that merely
  // finished could not pass as cancelled.
  const server = startRealtime({
    PROCESS_DELAY_MS: "600000",
    MAX_IN_FLIGHT: "8",
  });
  const client = await WsClient.open(server.wsUrl);
  try {
    for (let i = 0; i < 8; i++) client.send({ message: `slow ${i}` });
    await waitUntil(
      () => server.realtime.stats().processorsActive === 8,
      "8 jobs running",
    );
    assert.equal(server.realtime.stats().jobsInFlight, 8);
    await client.close();
    await waitUntil(
      () => server.realtime.stats().processorsActive === 0,
      "the jobs to be cancelled",
    );
    assert.equal(server.realtime.stats().jobsInFlight, 0);
    assert.equal(server.realtime.stats().errors.processing_failed, undefined);
  } finally {
    await server.close();
  }
});

Deno.test("pow: a verifiable proof of work computed in the worker pool", async () => {
  const server = startRealtime({}, { powDifficulty: 10 });
  const client = await WsClient.open(server.wsUrl);
  try {
    client.send({ type: "send", id: "p", text: "proof", processor: "pow" });
    const result = await client.waitFor((frame) => frame.type === "result");
    const match = /^nonce=(\d+) sha256=([0-9a-f]{64})$/.exec(result.message);
    assert.ok(match, result.message);
    assert.ok(verifyProofOfWork("proof", Number(match[1]), 10));
    assert.equal(result.processor, "pow");
    assert.equal(server.realtime.stats().pool.completed, 1);
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("pow jobs saturating the pool leave other connections responsive", async () => {
  const server = startRealtime({
    WORKER_POOL_SIZE: "2",
    PROCESS_DELAY_MS: "20",
    MAX_IN_FLIGHT: "16",
  });
  const heavy = await WsClient.open(server.wsUrl);
  const light = await WsClient.open(server.wsUrl);
  try {
    for (let i = 0; i < 8; i++) {
      heavy.send({
        type: "send",
        id: `h${i}`,
        text: `heavy ${i}`,
        processor: "pow",
      });
    }
    await waitUntil(
      () => server.realtime.stats().pool.busy === 2,
      "both workers busy",
    );
    let answered = 0;
    // While both workers are busy, the event loop still answers at once.
    for (let i = 0; i < 10; i++) {
      light.send({ type: "ping", t: i });
      light.send({ message: `light ${i}` });
      await light.waitFor((frame) => frame.type === "pong" && frame.t === i);
      await light.waitFor((frame) => frame.message === `LIGHT ${i}`);
      answered++;
    }
    const stats = server.realtime.stats();
    console.log(
      `saturation: ${answered} ping+seed round trips answered while pool busy=${stats.pool.busy}, queued=${stats.pool.queued}, pow done=${stats.pool.completed}/8`,
    );
    assert.ok(
      stats.pool.completed < 8,
      "the pool was still busy while the light client was served",
    );
    const results = await heavy.waitForCount(
      (frame) => frame.type === "result",
      8,
      60000,
    );
    assert.equal(results.length, 8);
  } finally {
    await heavy.close();
    await light.close();
    await server.close();
  }
});

Deno.test("closing a connection abandons its running pow jobs and frees the workers", async () => {
  const server = startRealtime({ WORKER_POOL_SIZE: "1" }, {
    powDifficulty: 24,
  });
  const heavy = await WsClient.open(server.wsUrl);
  const other = await WsClient.open(server.wsUrl);
  try {
    for (let i = 0; i < 4; i++) {
      heavy.send({
        type: "send",
        id: `h${i}`,
        text: `x${i}`,
        processor: "pow",
      });
    }
    await waitUntil(
      () => server.realtime.stats().pool.busy === 1,
      "the worker busy",
    );
    await heavy.close();
    await waitUntil(
      () => server.realtime.stats().pool.busy === 0,
      "the worker freed",
    );
    const stats = server.realtime.stats();
    assert.equal(stats.pool.queued, 0);
    assert.equal(stats.processorsActive, 0);
    assert.equal(stats.pool.abandoned, 1);
    assert.equal(stats.pool.completed, 0);
    // The replaced worker takes the next job at once.
    other.send({ type: "send", id: "o", text: "after", processor: "pow" });
    await waitUntil(
      () => server.realtime.stats().pool.busy === 1,
      "the replacement worker busy",
    );
    assert.equal(server.realtime.stats().pool.workers, 1);
  } finally {
    await heavy.close();
    await other.close();
    await server.close();
  }
});

Deno.test("forecast series: open, points, forecast in order, close", async () => {
  const server = startRealtime();
  const client = await WsClient.open(server.wsUrl);
  try {
    client.send({ type: "series_open", id: "s", horizon: 3 });
    client.send({ type: "series_points", id: "s", points: [1, 2, 3, 4] });
    client.send({ type: "series_points", id: "s", points: [5, 6] });
    client.send({ type: "series_points", id: "nope", points: [1] });
    client.send({ type: "series_close", id: "s" });
    const frames = await client.waitForCount(() => true, 5);
    assert.deepEqual(frames.map((frame) => frame.type), [
      "series_opened",
      "forecast",
      "forecast",
      "error",
      "series_closed",
    ]);
    assert.equal(frames[1].n, 4);
    assert.equal(frames[2].n, 6);
    assert.equal(frames[2].forecast.length, 3);
    assert.equal(frames[3].code, "unknown_series");
    assert.equal(frames[3].id, "nope");
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("a leave while the join is pending: no joined frame, membership undone", async () => {
  let releaseJoin = () => {};
  const joinHeld = new Promise<void>((resolve) => releaseJoin = resolve);
  const members = new Set<string>();
  const hub: RoomHub = {
    async join(room, member) {
      members.add(member.id);
      await joinHeld;
      return {
        type: "joined",
        room,
        name: member.name,
        seq: 0,
        history: [],
        online: 1,
      };
    },
    leave(_room, member) {
      members.delete(member.id);
      return Promise.resolve();
    },
    publish: () => Promise.reject(new Error("unused")),
    online: () => members.size,
    close: () => Promise.resolve(),
  };
  const server = startRealtime({}, { hub });
  const client = await WsClient.open(server.wsUrl);
  try {
    client.send({ type: "join", room: "lobby", name: "Ann" });
    client.send({ type: "leave", room: "lobby" });
    await client.waitFor((frame) => frame.type === "left");
    releaseJoin();
    client.send({ type: "ping", t: 1 });
    await client.waitFor((frame) => frame.type === "pong");
    assert.equal(client.ofType("joined").length, 0);
    assert.equal(members.size, 0);
  } finally {
    await client.close();
    await server.close();
  }
});
