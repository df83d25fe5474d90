import assert from "node:assert/strict";
import { chatStore, connectionStore } from "./stores.ts";
import { roomStore } from "./room_store.ts";
import { SocketClient, type WebSocketLike } from "./socket_client.ts";

/** A socket that opens at once and records what is sent; the test plays the server. */
class FakeWebSocket implements WebSocketLike {
  static last: FakeWebSocket;
  readyState = 0;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  sent: Record<string, unknown>[] = [];
  constructor(readonly url: string) {
    FakeWebSocket.last = this;
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }
  push(frame: Record<string, unknown>) {
    this.onmessage?.(
      new MessageEvent("message", { data: JSON.stringify(frame) }),
    );
  }
}

const noTimers = { setTimeout: () => 0, clearTimeout: () => {} };

function makeClient() {
  let n = 0;
  return new SocketClient({
    url: "ws://x/ws",
    WebSocket: FakeWebSocket,
    timers: noTimers,
    newId: () => `m${++n}`,
  });
}

Deno.test("connectionStore mirrors state changes and stops after dispose", () => {
  const client = makeClient();
  const store = connectionStore(client);
  assert.equal(store.connection.value.state, "closed");
  client.connect();
  assert.equal(store.connection.value.state, "connecting");
  store.dispose();
  FakeWebSocket.last.open();
  assert.equal(store.connection.value.state, "connecting");
  client.disconnect();
});

Deno.test("chatStore keeps one entry per message and announces results", () => {
  const client = makeClient();
  const store = chatStore(client, 2);
  client.connect();
  FakeWebSocket.last.open();
  const a = client.send("a");
  client.send("b", { room: "elsewhere" }); // not a chat entry
  assert.deepEqual(store.entries.value.map((e) => [e.id, e.status]), [
    [a, "pending"],
  ]);
  FakeWebSocket.last.push({ type: "ack", id: a });
  FakeWebSocket.last.push({
    type: "result",
    id: a,
    message: "A",
    time: "01:02:03",
    processor: "upper",
    elapsedMs: 5,
  });
  assert.deepEqual(store.entries.value.map((e) => [e.id, e.status]), [
    [a, "done"],
  ]);
  assert.equal(store.announcement.value, "Result: A");
  client.send("c");
  client.send("d");
  assert.deepEqual(store.entries.value.map((e) => e.text), ["c", "d"]);
  store.dispose();
  client.disconnect();
});

Deno.test("roomStore: messages in order, own outbox until delivered, presence", () => {
  const client = makeClient();
  const store = roomStore(client, "lobby");
  client.join("lobby", "Ann");
  client.connect();
  FakeWebSocket.last.open();
  FakeWebSocket.last.push({
    type: "joined",
    room: "lobby",
    name: "Ann",
    seq: 1,
    history: [{
      room: "lobby",
      seq: 1,
      id: "x",
      from: "Bob",
      text: "<b>hi</b>",
      message: "<B>HI</B>",
      time: "10:00:00",
      processor: "upper",
    }],
    online: 2,
  });
  assert.equal(store.joined.value, true);
  assert.equal(store.online.value, 2);
  const id = client.send("yo", { room: "lobby" });
  assert.deepEqual(store.outbox.value.map((m) => m.status), ["pending"]);
  FakeWebSocket.last.push({
    type: "message",
    room: "lobby",
    seq: 2,
    id,
    from: "Ann",
    text: "yo",
    message: "YO",
    time: "10:00:01",
    processor: "upper",
  });
  assert.deepEqual(store.outbox.value, []);
  assert.deepEqual(store.messages.value.map((m) => m.message), [
    "<B>HI</B>",
    "YO",
  ]);
  assert.equal(store.announcement.value, "Ann: YO");
  FakeWebSocket.last.push({ type: "presence", room: "lobby", online: 1 });
  assert.equal(store.online.value, 1);
  FakeWebSocket.last.push({
    type: "error",
    code: "invalid_name",
    message: "bad name",
    time: "10:00:02",
  });
  assert.equal(store.problem.value, "bad name");
  client.disconnect();
  assert.equal(store.joined.value, false);
  store.dispose();
});

Deno.test("roomStore: a restarted log replaces the messages shown", () => {
  const client = makeClient();
  const store = roomStore(client, "lobby");
  client.join("lobby", "Ann");
  client.connect();
  FakeWebSocket.last.open();
  const message = (seq: number, text: string) => ({
    room: "lobby",
    seq,
    id: `m${seq}${text}`,
    from: "Bob",
    text,
    message: text.toUpperCase(),
    time: "10:00:00",
    processor: "upper",
  });
  FakeWebSocket.last.push({
    type: "joined",
    room: "lobby",
    name: "Ann",
    seq: 3,
    history: [message(2, "old"), message(3, "older")],
    online: 1,
  });
  assert.equal(store.messages.value.length, 2);
  // The resumed join finds the log restarted; the client joins afresh.
  FakeWebSocket.last.push({
    type: "joined",
    room: "lobby",
    name: "Ann",
    seq: 1,
    history: [],
    online: 1,
  });
  FakeWebSocket.last.push({
    type: "joined",
    room: "lobby",
    name: "Ann",
    seq: 1,
    history: [message(1, "new")],
    online: 1,
  });
  assert.deepEqual(store.messages.value.map((m) => m.message), ["NEW"]);
  client.disconnect();
  store.dispose();
});
