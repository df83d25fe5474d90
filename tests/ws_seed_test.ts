/**
 * The seed contract (docs/protocol.md, "The seed format"): a client speaking
 * the tutorial's format works unchanged, the tutorial's own RxJS client
 * included.
 */

import assert from "node:assert/strict";
import { webSocket, type WebSocketSubject } from "rxjs/webSocket";
import { WsClient } from "./helpers/ws_client.ts";
import { startRealtime } from "./helpers/realtime_server.ts";
import { waitUntil } from "./helpers/wait.ts";

const TIME = /^\d{2}:\d{2}:\d{2}$/;

Deno.test("seed frame gets the upper-cased message and HH:MM:SS time, no ack", async () => {
  const server = startRealtime({ PROCESS_DELAY_MS: "100" });
  const client = await WsClient.open(server.wsUrl);
  try {
    client.send({ message: "hi" });
    const reply = await client.waitFor((frame) => "message" in frame);
    assert.equal(reply.message, "HI");
    assert.match(reply.time, TIME);
    assert.equal(client.frames.length, 1, "nothing before the reply");
    assert.equal(reply.type, "result");
    assert.equal(reply.processor, "upper");
    assert.ok(reply.elapsedMs >= 90, `elapsedMs ${reply.elapsedMs}`);
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("seed client sees bad input as an error line and keeps its connection", async () => {
  const server = startRealtime();
  const client = await WsClient.open(server.wsUrl);
  try {
    client.send("not json");
    client.send("[1,2]");
    client.send({ message: "   " });
    client.send({ message: "ok" });
    const frames = await client.waitForCount(() => true, 4);
    const errors = frames.filter((frame) => frame.type === "error");
    assert.deepEqual(errors.map((frame) => frame.code), [
      "bad_json",
      "bad_frame",
      "text_empty",
    ]);
    for (const error of errors) {
      assert.equal(typeof error.message, "string");
      assert.match(error.time, TIME);
    }
    assert.equal(frames[3].message, "OK");
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("five seed messages at once are processed side by side, not one after another", async () => {
  const delay = 1000;
  const server = startRealtime({ PROCESS_DELAY_MS: String(delay) });
  const client = await WsClient.open(server.wsUrl);
  try {
    const started = performance.now();
    for (let i = 0; i < 5; i++) client.send({ message: `m${i}` });
    // The seed answered one message per delay; here all five are in flight
    // at once. Timing-free: the probe runs on this process's event loop,
    // before the jobs' own timers could expire.
    await waitUntil(
      () => server.realtime.stats().processorsActive === 5,
      "five jobs running at once",
    );
    assert.equal(client.frames.length, 0, "no reply before the delay");
    const replies = await client.waitForCount((frame) => "message" in frame, 5);
    const total = performance.now() - started;
    console.log(
      `five-at-once: ${replies.length} replies in ${
        total.toFixed(0)
      } ms with PROCESS_DELAY_MS=${delay} (seed: ${5 * delay} ms)`,
    );
    assert.deepEqual(
      replies.map((frame) => frame.message).sort(),
      ["M0", "M1", "M2", "M3", "M4"],
    );
    for (const reply of replies) {
      assert.ok(reply.elapsedMs >= delay - 10, `elapsedMs ${reply.elapsedMs}`);
    }
  } finally {
    await client.close();
    await server.close();
  }
});

interface MessageFromServer {
  message: string;
  time: string;
}

/** The seed's Angular WebSocketService, minus the decorator. */
class WebSocketService {
  private socket$?: WebSocketSubject<unknown>;
  public receivedData: MessageFromServer[] = [];

  constructor(private readonly url: string) {}

  public connect(): void {
    if (!this.socket$ || this.socket$.closed) {
      this.socket$ = webSocket(this.url);
      this.socket$.subscribe((data) => {
        this.receivedData.push(data as MessageFromServer);
      });
    }
  }

  sendMessage(message: string): void {
    this.socket$!.next({ message });
  }

  close(): void {
    this.socket$!.complete();
  }
}

Deno.test("the seed's RxJS webSocket service works unchanged", async () => {
  const server = startRealtime({ PROCESS_DELAY_MS: "50" });
  const service = new WebSocketService(server.wsUrl);
  try {
    service.connect();
    service.sendMessage("hello from angular");
    service.sendMessage("second");
    await waitUntil(
      () => service.receivedData.length >= 2,
      "two replies through RxJS",
    );
    assert.deepEqual(
      service.receivedData.map((data) => data.message).sort(),
      ["HELLO FROM ANGULAR", "SECOND"],
    );
    for (const data of service.receivedData) assert.match(data.time, TIME);
  } finally {
    service.close();
    // Let the close handshake finish before the sanitizers look.
    await waitUntil(
      () => server.realtime.connections.size === 0,
      "the RxJS socket to close",
    ).finally(() => server.close());
  }
});
