import assert from "node:assert/strict";
import {
  backoffDelay,
  CLOSE_DEAD_LINK,
  type ConnectionSnapshot,
  SocketClient,
  type SocketClientOptions,
  socketUrlFor,
  type TrackedMessage,
  type WebSocketLike,
} from "./socket_client.ts";
import type { RoomMessage, WelcomeFrame } from "../protocol.ts";

// ---------------------------------------------------------------- fakes

/** A manual clock driving the client's timers. */
class FakeClock {
  now = 1_000_000;
  #next = 1;
  #timers = new Map<number, { at: number; fn: () => void }>();

  readonly timers = {
    setTimeout: (fn: () => void, ms: number): unknown => {
      const id = this.#next++;
      this.#timers.set(id, { at: this.now + ms, fn });
      return id;
    },
    clearTimeout: (handle: unknown): void => {
      this.#timers.delete(handle as number);
    },
  };

  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.#timers) {
        if (entry[1].at <= until && (!due || entry[1].at < due[1].at)) {
          due = entry;
        }
      }
      if (!due) break;
      this.#timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = until;
  }
}

/** The only fake: a WebSocket whose far end the test plays. */
class FakeWebSocket implements WebSocketLike {
  static instances: FakeWebSocket[] = [];
  readyState = 0;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  sent: Record<string, unknown>[] = [];
  closedWith: { code?: number; reason?: string } | null = null;

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error("send while not open");
    this.sent.push(JSON.parse(data));
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }

  // far-end controls
  serverOpen(): void {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }

  serverSend(frame: Record<string, unknown>): void {
    this.onmessage?.(
      new MessageEvent("message", { data: JSON.stringify(frame) }),
    );
  }

  serverClose(code = 1006, reason = ""): void {
    this.readyState = 3;
    this.onclose?.(new CloseEvent("close", { code, reason }));
  }

  sentOfType(type: string): Record<string, unknown>[] {
    return this.sent.filter((f) => f.type === type);
  }
}

const WELCOME: WelcomeFrame = {
  type: "welcome",
  protocol: 1,
  server: "test",
  connectionId: "c1",
  limits: {
    maxFrameBytes: 65536,
    maxTextLength: 2000,
    maxInFlight: 32,
    ratePerSecond: 20,
    rateBurst: 40,
    heartbeatMs: 30000,
  },
  processors: ["upper", "reverse"],
};

function setup(options: Partial<SocketClientOptions> = {}) {
  FakeWebSocket.instances = [];
  const clock = new FakeClock();
  let ids = 0;
  const client = new SocketClient({
    url: "ws://example.test/ws",
    WebSocket: FakeWebSocket,
    timers: clock.timers,
    now: () => clock.now,
    random: () => 0.5,
    newId: () => `id${++ids}`,
    ...options,
  });
  const states: ConnectionSnapshot[] = [];
  const outgoing: TrackedMessage[] = [];
  const roomMessages: RoomMessage[] = [];
  client.on("state", (s) => states.push(s));
  client.on("outgoing", (m) => outgoing.push(m));
  client.on("message", (m) => roomMessages.push(m));
  const socket = () => FakeWebSocket.instances.at(-1)!;
  /** Connects (or waits for the next retry) and completes the handshake. */
  const open = () => {
    socket().serverOpen();
    socket().serverSend({ ...WELCOME });
  };
  return { client, clock, states, outgoing, roomMessages, socket, open };
}

function roomMessage(
  room: string,
  seq: number,
  extra: Partial<RoomMessage> = {},
): RoomMessage {
  return {
    room,
    seq,
    id: `other-${seq}`,
    from: "Bob",
    text: `m${seq}`,
    message: `M${seq}`,
    time: "12:00:00",
    processor: "upper",
    ...extra,
  };
}

// ---------------------------------------------------------------- pure helpers

Deno.test("backoffDelay grows exponentially and stays within [0, cap)", () => {
  const top = () => 0.999999;
  assert.equal(backoffDelay(0, 500, 15000, top), 499);
  assert.equal(backoffDelay(1, 500, 15000, top), 999);
  assert.equal(backoffDelay(3, 500, 15000, top), 3999);
  assert.equal(backoffDelay(5, 500, 15000, top), 14999); // 16000 capped
  assert.equal(backoffDelay(40, 500, 15000, top), 14999);
  assert.equal(backoffDelay(4, 500, 15000, () => 0), 0);
  for (let attempt = 0; attempt < 10; attempt++) {
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(attempt, 500, 15000);
      assert.ok(d >= 0 && d < Math.min(15000, 500 * 2 ** attempt), `${d}`);
    }
  }
});

Deno.test("socketUrlFor picks ws: or wss: from the page", () => {
  assert.equal(
    socketUrlFor({ protocol: "http:", host: "localhost:8000" }),
    "ws://localhost:8000/ws",
  );
  assert.equal(
    socketUrlFor({ protocol: "https:", host: "app.example" }),
    "wss://app.example/ws",
  );
});

// ---------------------------------------------------------------- state machine

Deno.test("state goes closed → connecting → open, hello first, welcome kept", () => {
  const { client, states, socket, open } = setup();
  assert.equal(client.snapshot.state, "closed");
  client.connect();
  assert.equal(client.snapshot.state, "connecting");
  assert.equal(socket().url, "ws://example.test/ws");
  open();
  assert.equal(client.snapshot.state, "open");
  assert.deepEqual(socket().sent[0], {
    type: "hello",
    protocol: 1,
    client: "web",
  });
  assert.deepEqual(client.snapshot.welcome?.processors, ["upper", "reverse"]);
  assert.deepEqual(
    states.map((s) => s.state),
    ["connecting", "open", "open"],
  );
  client.disconnect();
});

Deno.test("a drop schedules a jittered retry; welcome resets the backoff", () => {
  const { client, clock, socket, open } = setup({ random: () => 0.5 });
  client.connect();
  open();
  socket().serverClose(1006);
  let snap = client.snapshot;
  assert.equal(snap.state, "reconnecting");
  assert.equal(snap.nextRetryAt, clock.now + 250); // 0.5 * 500
  assert.deepEqual(snap.lastClose, { code: 1006, reason: "" });

  // connection refused three times: delays 0.5 * 500, 1000, 2000
  clock.advance(250);
  assert.equal(client.snapshot.state, "connecting");
  assert.equal(FakeWebSocket.instances.length, 2);
  socket().serverClose(1006);
  assert.equal(client.snapshot.nextRetryAt, clock.now + 500);
  clock.advance(500);
  socket().serverClose(1006);
  assert.equal(client.snapshot.nextRetryAt, clock.now + 1000);
  assert.equal(client.snapshot.attempt, 3);
  clock.advance(999);
  assert.equal(FakeWebSocket.instances.length, 3, "not before the delay");
  clock.advance(1);
  assert.equal(FakeWebSocket.instances.length, 4);
  open();
  snap = client.snapshot;
  assert.equal(snap.state, "open");
  assert.equal(snap.attempt, 0);
  socket().serverClose(1001);
  assert.equal(client.snapshot.nextRetryAt, clock.now + 250);
  client.disconnect();
  assert.equal(clock.pending, 0);
});

Deno.test("disconnect() stops reconnecting until connect()", () => {
  const { client, clock, socket, open } = setup();
  client.connect();
  open();
  const first = socket();
  client.disconnect();
  assert.equal(client.snapshot.state, "closed");
  assert.equal(first.closedWith?.code, 1000);
  assert.equal(clock.pending, 0, "no timers left");
  clock.advance(60_000);
  assert.equal(FakeWebSocket.instances.length, 1);

  // a disconnect while a retry is scheduled cancels it
  client.connect();
  socket().serverClose(1006);
  assert.equal(client.snapshot.state, "reconnecting");
  client.disconnect();
  clock.advance(60_000);
  assert.equal(FakeWebSocket.instances.length, 2);
  assert.equal(client.snapshot.state, "closed");

  // connect() during a scheduled retry connects at once
  client.connect();
  socket().serverClose(1006);
  client.connect();
  assert.equal(client.snapshot.state, "connecting");
  assert.equal(FakeWebSocket.instances.length, 4);
  client.disconnect();
});

Deno.test("a missing pong declares the link dead and reconnects", () => {
  const { client, clock, socket, open } = setup({
    pingIntervalMs: 15_000,
    pongTimeoutMs: 5_000,
  });
  client.connect();
  open();
  const first = socket();
  clock.advance(15_000);
  const ping = first.sentOfType("ping");
  assert.equal(ping.length, 1);
  assert.equal(ping[0].t, clock.now);
  first.serverSend({ type: "pong", t: ping[0].t });
  clock.advance(15_000);
  assert.equal(first.sentOfType("ping").length, 2);
  assert.equal(client.snapshot.state, "open");
  clock.advance(5_000); // no pong this time
  assert.equal(client.snapshot.state, "reconnecting");
  assert.equal(first.closedWith?.code, CLOSE_DEAD_LINK);
  assert.equal(first.onmessage, null, "old socket detached");
  clock.advance(1_000);
  assert.equal(FakeWebSocket.instances.length, 2);
  client.disconnect();
});

Deno.test("a socket stuck in CONNECTING is abandoned", () => {
  const { client, clock } = setup({ connectTimeoutMs: 3_000 });
  client.connect();
  clock.advance(3_000);
  assert.equal(client.snapshot.state, "reconnecting");
  assert.equal(client.snapshot.lastClose?.reason, "connect timeout");
  client.disconnect();
});

// ---------------------------------------------------------------- messages

Deno.test("send tracks pending → processing → done, and failed on error", () => {
  const { client, outgoing, socket, open } = setup();
  client.connect();
  open();
  const a = client.send("hello", { processor: "reverse" });
  const b = client.send("boom");
  assert.deepEqual(socket().sentOfType("send"), [
    { type: "send", id: a, text: "hello", processor: "reverse" },
    { type: "send", id: b, text: "boom" },
  ]);
  socket().serverSend({ type: "ack", id: a });
  socket().serverSend({
    type: "result",
    id: a,
    message: "olleh",
    time: "10:00:00",
    processor: "reverse",
    elapsedMs: 12,
  });
  socket().serverSend({
    type: "error",
    code: "processing_failed",
    message: "it broke",
    time: "10:00:01",
    id: b,
  });
  const trail = (id: string) =>
    outgoing.filter((m) => m.id === id).map((m) => m.status);
  assert.deepEqual(trail(a), ["pending", "processing", "done"]);
  assert.deepEqual(trail(b), ["pending", "failed"]);
  const done = outgoing.findLast((m) => m.id === a)!;
  assert.equal(done.result, "olleh");
  assert.equal(done.elapsedMs, 12);
  assert.equal(
    outgoing.findLast((m) => m.id === b)!.error?.code,
    "processing_failed",
  );
  assert.deepEqual(client.unsettled, []);
  assert.throws(() => client.send("   "), TypeError);
  client.disconnect();
});

Deno.test("messages sent offline are queued and flushed once, in order", () => {
  const { client, clock, outgoing, socket, open } = setup();
  const early = client.send("before connect");
  assert.equal(outgoing.at(-1)?.status, "queued");
  client.connect();
  open();
  assert.deepEqual(
    socket().sentOfType("send").map((f) => f.text),
    ["before connect"],
  );
  socket().serverSend({
    type: "result",
    id: early,
    message: "BEFORE CONNECT",
    time: "10:00:00",
    processor: "upper",
    elapsedMs: 1,
  });

  socket().serverClose(1006);
  const one = client.send("one");
  const two = client.send("two");
  assert.deepEqual(
    client.unsettled.map((m) => [m.id, m.status]),
    [[one, "queued"], [two, "queued"]],
  );
  // a failed attempt sends nothing and keeps the queue
  clock.advance(250);
  socket().serverClose(1006);
  clock.advance(500);
  open();
  const third = socket();
  assert.deepEqual(
    third.sent.map((f) => f.type === "send" ? f.text : f.type),
    ["hello", "one", "two"],
  );
  // another open on the same socket event would be a bug; flushing again must not resend
  third.serverSend({ type: "ack", id: one });
  third.serverSend({ type: "ack", id: two });
  assert.equal(third.sentOfType("send").length, 2);
  assert.equal(
    FakeWebSocket.instances.flatMap((s) => s.sentOfType("send")).filter((f) =>
      f.id === one
    ).length,
    1,
  );
  client.disconnect();
});

Deno.test("messages in flight at a drop are re-sent after reconnect", () => {
  const { client, clock, outgoing, socket, open } = setup();
  client.connect();
  open();
  const id = client.send("lost result");
  socket().serverSend({ type: "ack", id });
  socket().serverClose(1006);
  assert.equal(outgoing.at(-1)?.status, "queued");
  clock.advance(250);
  open();
  const resent = socket().sentOfType("send");
  assert.deepEqual(resent.map((f) => f.id), [id]);
  assert.equal(client.unsettled[0].transmissions, 2);
  client.disconnect();
});

Deno.test("disconnect keeps queued messages for the next connect", () => {
  const { client, socket, open } = setup();
  client.connect();
  open();
  const id = client.send("in flight");
  client.disconnect();
  assert.equal(client.unsettled[0].status, "queued");
  client.connect();
  open();
  assert.deepEqual(socket().sentOfType("send").map((f) => f.id), [id]);
  client.disconnect();
});

// ---------------------------------------------------------------- rooms

Deno.test("rooms: resume with since, no duplicates, sends wait for joined", () => {
  const { client, clock, outgoing, roomMessages, socket, open } = setup();
  client.connect();
  open();
  client.join("lobby", "Ann");
  assert.deepEqual(socket().sentOfType("join"), [
    { type: "join", room: "lobby", name: "Ann" },
  ]);
  socket().serverSend({
    type: "joined",
    room: "lobby",
    name: "Ann",
    seq: 2,
    history: [roomMessage("lobby", 1), roomMessage("lobby", 2)],
    online: 3,
  });
  assert.equal(client.online("lobby"), 3);
  socket().serverSend({ type: "message", ...roomMessage("lobby", 3) });
  socket().serverSend({ type: "message", ...roomMessage("lobby", 3) }); // dup
  socket().serverSend({ type: "message", ...roomMessage("lobby", 2) }); // old
  socket().serverSend({ type: "presence", room: "lobby", online: 4 });
  assert.deepEqual(roomMessages.map((m) => m.seq), [1, 2, 3]);
  assert.equal(client.online("lobby"), 4);
  assert.equal(client.lastSeq("lobby"), 3);

  socket().serverClose(1006);
  const mine = client.send("hi all", { room: "lobby" });
  clock.advance(250);
  open();
  const rejoin = socket().sentOfType("join");
  assert.deepEqual(rejoin, [
    { type: "join", room: "lobby", name: "Ann", since: 3 },
  ]);
  assert.equal(socket().sentOfType("send").length, 0, "waits for joined");
  socket().serverSend({
    type: "joined",
    room: "lobby",
    name: "Ann",
    seq: 5,
    history: [roomMessage("lobby", 3), roomMessage("lobby", 4)],
    online: 2,
  });
  assert.deepEqual(socket().sentOfType("send"), [
    { type: "send", id: mine, text: "hi all", room: "lobby" },
  ]);
  socket().serverSend({ type: "ack", id: mine });
  socket().serverSend({
    type: "message",
    ...roomMessage("lobby", 6, { id: mine, from: "Ann", message: "HI ALL" }),
  });
  assert.deepEqual(roomMessages.map((m) => m.seq), [1, 2, 3, 4, 6]);
  const done = outgoing.findLast((m) => m.id === mine)!;
  assert.equal(done.status, "done");
  assert.equal(done.seq, 6);
  assert.equal(client.lastSeq("lobby"), 6);
  client.disconnect();
});

Deno.test("rooms: a join the server could not serve is retried with backoff", () => {
  const { client, clock, socket, open } = setup();
  client.connect();
  open();
  client.join("lobby", "Ann");
  const busDown = {
    type: "error",
    code: "bus_unavailable",
    message: "Could not join",
    time: "12:00:00",
    room: "lobby",
  };
  socket().serverSend(busDown);
  assert.equal(socket().sentOfType("join").length, 1);
  clock.advance(250); // half the first backoff window (random 0.5)
  assert.equal(socket().sentOfType("join").length, 2);
  socket().serverSend(busDown);
  clock.advance(400);
  assert.equal(socket().sentOfType("join").length, 2, "the wait grows");
  clock.advance(100);
  assert.equal(socket().sentOfType("join").length, 3);
  socket().serverSend({
    type: "joined",
    room: "lobby",
    name: "Ann",
    seq: 0,
    history: [],
    online: 1,
  });
  // An error about another room schedules nothing for this one.
  socket().serverSend({ ...busDown, room: "elsewhere" });
  clock.advance(20_000);
  assert.equal(socket().sentOfType("join").length, 3);
  client.disconnect();
});

Deno.test("rooms: a log that restarted below our seq is joined afresh", () => {
  const { client, clock, roomMessages, socket, open } = setup();
  client.connect();
  open();
  client.join("lobby", "Ann");
  socket().serverSend({
    type: "joined",
    room: "lobby",
    name: "Ann",
    seq: 5,
    history: [roomMessage("lobby", 4), roomMessage("lobby", 5)],
    online: 1,
  });
  socket().serverClose(1006);
  clock.advance(250);
  open();
  assert.deepEqual(socket().sentOfType("join"), [
    { type: "join", room: "lobby", name: "Ann", since: 5 },
  ]);
  // The server lost its log and counts from 1 again.
  socket().serverSend({
    type: "joined",
    room: "lobby",
    name: "Ann",
    seq: 2,
    history: [],
    online: 1,
  });
  assert.deepEqual(socket().sentOfType("join"), [
    { type: "join", room: "lobby", name: "Ann", since: 5 },
    { type: "join", room: "lobby", name: "Ann" },
  ]);
  socket().serverSend({
    type: "joined",
    room: "lobby",
    name: "Ann",
    seq: 2,
    history: [roomMessage("lobby", 1), roomMessage("lobby", 2)],
    online: 1,
  });
  assert.deepEqual(roomMessages.map((m) => m.seq), [4, 5, 1, 2]);
  assert.equal(client.lastSeq("lobby"), 2);
  client.disconnect();
});

Deno.test("rooms: a message stored before the drop settles from history, not resent", () => {
  const { client, clock, outgoing, socket, open } = setup();
  client.connect();
  open();
  client.join("r1", "Ann");
  socket().serverSend({
    type: "joined",
    room: "r1",
    name: "Ann",
    seq: 0,
    history: [],
    online: 1,
  });
  const id = client.send("x", { room: "r1" });
  socket().serverSend({ type: "ack", id });
  socket().serverClose(1006); // the fan-out to us was lost
  clock.advance(250);
  open();
  assert.deepEqual(socket().sentOfType("join")[0].since, 0);
  socket().serverSend({
    type: "joined",
    room: "r1",
    name: "Ann",
    seq: 1,
    history: [roomMessage("r1", 1, { id, from: "Ann" })],
    online: 1,
  });
  assert.equal(socket().sentOfType("send").length, 0);
  assert.equal(outgoing.findLast((m) => m.id === id)?.status, "done");
  client.disconnect();
});

Deno.test("leave fails the room's queued messages and sends leave", () => {
  const { client, outgoing, socket, open } = setup();
  client.join("r2", "Ann"); // before connect: joined on open
  const id = client.send("queued", { room: "r2" });
  client.connect();
  open();
  assert.equal(socket().sentOfType("join").length, 1);
  client.leave("r2");
  assert.equal(outgoing.findLast((m) => m.id === id)?.error?.code, "left_room");
  assert.deepEqual(socket().sentOfType("leave"), [{
    type: "leave",
    room: "r2",
  }]);
  client.disconnect();
});

// ---------------------------------------------------------------- series

Deno.test("sendNow writes only while open and queues nothing", () => {
  const { client, clock, socket, open } = setup();
  const frame = { type: "series_points" as const, id: "s1", points: [1, 2] };
  assert.equal(client.sendNow(frame), false);
  client.connect();
  open();
  assert.equal(client.sendNow(frame), true);
  assert.deepEqual(socket().sentOfType("series_points"), [frame]);
  socket().serverClose(1006);
  assert.equal(client.sendNow(frame), false);
  clock.advance(250);
  open();
  assert.deepEqual(socket().sentOfType("series_points"), []);
  client.disconnect();
});

Deno.test("garbage frames and throwing listeners do not break the client", () => {
  const { client, socket, open } = setup();
  const originalError = console.error;
  const logged: unknown[] = [];
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    client.on("welcome", () => {
      throw new Error("listener bug");
    });
    client.connect();
    socket().onmessage?.(new MessageEvent("message", { data: "not json" }));
    socket().onmessage?.(new MessageEvent("message", { data: "[1]" }));
    open();
    assert.equal(client.snapshot.state, "open");
    assert.equal(logged.length, 1);
  } finally {
    console.error = originalError;
    client.disconnect();
  }
});

Deno.test("a re-join (new name) does not resend room messages in flight", () => {
  const { client, socket, open } = setup();
  client.connect();
  open();
  client.join("r3", "Ann");
  const joined = {
    type: "joined",
    room: "r3",
    name: "Ann",
    seq: 0,
    history: [],
    online: 1,
  };
  socket().serverSend(joined);
  const id = client.send("once", { room: "r3" });
  client.join("r3", "Annie");
  assert.deepEqual(socket().sentOfType("join").at(-1), {
    type: "join",
    room: "r3",
    name: "Annie",
    since: 0,
  });
  socket().serverSend({ ...joined, name: "Annie" });
  assert.deepEqual(socket().sentOfType("send").map((f) => f.id), [id]);
  client.disconnect();
});
