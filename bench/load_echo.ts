/**
 * Closed-loop echo load on the seed contract: every connection sends
 * `{"message": "..."}`, waits for the reply, and sends again. Prints one
 * `result` event with throughput and latency over the measured window (after
 * a warm-up), and checks every reply carries the upper-cased text.
 *
 * `deno run -A bench/load_echo.ts --url ws://127.0.0.1:8001/ws --connections 100 --seconds 3`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { emit, openMany, selfCpuMs, sleep } from "./gen.ts";
import { Samples, summarize } from "./stats.ts";
import { encodeTextFrame, payloadText } from "./ws_client.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    connections: { type: "string", default: "100" },
    seconds: { type: "string", default: "3" },
    warmup: { type: "string", default: "0.5" },
  },
});
if (!values.url) throw new Error("--url is required");
const connections = Number(values.connections);
const measureMs = Number(values.seconds) * 1000;
const warmupMs = Number(values.warmup) * 1000;

const TIME = /^\d\d:\d\d:\d\d$/;
const latencies = new Samples(1 << 16);
let replies = 0;
let totalReplies = 0;
let invalid = 0;
let errorFrames = 0;
const samples: string[] = [];
let windowStart = Infinity;
let windowEnd = Infinity;
let sending = true;
let outstanding = 0;

const texts = Array.from(
  { length: connections },
  (_, i) => `hello from connection ${i}`,
);
const expected = texts.map((text) => text.toUpperCase());
const frames = texts.map((text) =>
  encodeTextFrame(JSON.stringify({ message: text }))
);
const sentAt = new Float64Array(connections);
const checked = new Uint8Array(connections);

const opened = await openMany(
  values.url,
  connections,
  50,
  (i) => (payload) => {
    const now = performance.now();
    const text = payloadText(payload);
    if (!text.includes(expected[i])) {
      if (text.includes('"error"')) errorFrames++;
      else invalid++;
      if (samples.length < 3) samples.push(text.slice(0, 200));
    } else if (checked[i] === 0 || (replies & 1023) === 0) {
      // The first reply of each connection, and a sample after, is checked in full.
      checked[i] = 1;
      const reply = JSON.parse(text);
      if (reply.message !== expected[i] || !TIME.test(reply.time)) invalid++;
    }
    outstanding--;
    totalReplies++;
    if (now >= windowStart && now < windowEnd) {
      replies++;
      latencies.push(now - sentAt[i]);
    }
    if (sending && now < windowEnd) send(i);
  },
);
if (opened.failed > 0) {
  emit("error", {
    message: `${opened.failed} connections failed`,
    errors: opened.errors,
  });
  Deno.exit(1);
}
const sockets = opened.sockets;

function send(i: number) {
  sentAt[i] = performance.now();
  outstanding++;
  sockets[i]!.sendFrame(frames[i]).catch(() => {});
}

const cpuBefore = selfCpuMs();
const start = performance.now();
windowStart = start + warmupMs;
windowEnd = windowStart + measureMs;
for (let i = 0; i < connections; i++) send(i);
await sleep(warmupMs + measureMs);
sending = false;
const drainUntil = performance.now() + 2000;
while (outstanding > 0 && performance.now() < drainUntil) await sleep(5);
const wallMs = performance.now() - start;
const cpuMs = selfCpuMs() - cpuBefore;
for (const socket of sockets) socket?.close();

emit("result", {
  connections,
  seconds: measureMs / 1000,
  replies,
  totalReplies,
  throughput: Math.round(replies / (measureMs / 1000)),
  latencyMs: summarize(latencies.view()),
  invalid,
  errorFrames,
  unanswered: outstanding,
  samples,
  generator: { cpuMs, wallMs: Math.round(wallMs) },
});
Deno.exit(0);
