/**
 * Room fan-out load, one share of the members per process. Every member
 * joins the room; one member (in the process started with `--sender`) posts
 * `--rate` messages a second for `--seconds`; every member counts each
 * message once and records its delivery latency (the send time travels in
 * the text, so members in other processes can measure it too).
 *
 * Talks to the runner: prints `ready` once all members have joined, starts
 * on `go` from stdin, prints `result` when every member has every message or
 * the drain time has passed.
 *
 * `deno run -A bench/load_fanout.ts --url ws://127.0.0.1:8001/ws --members 500 --first 0 --sender`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { emit, epochMs, openMany, selfCpuMs, sleep, waitFor } from "./gen.ts";
import { Samples, sketch, summarize } from "./stats.ts";
import { payloadText } from "./ws_client.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    room: { type: "string", default: "bench" },
    members: { type: "string", default: "500" },
    first: { type: "string", default: "0" },
    sender: { type: "boolean", default: false },
    rate: { type: "string", default: "100" },
    seconds: { type: "string", default: "3" },
    drain: { type: "string", default: "3" },
  },
});
if (!values.url) throw new Error("--url is required");
const room = values.room!;
const members = Number(values.members);
const first = Number(values.first);
const rate = Number(values.rate);
const total = Math.round(rate * Number(values.seconds));
const drainMs = Number(values.drain) * 1000;

// The marker is lower case so that it matches the original `text` and not
// the upper-cased `message` in the same frame.
const MARKER = '"fanout ';
const seen = Array.from({ length: members }, () => new Uint8Array(total));
const received = new Uint32Array(members);
const joinedAt = new Uint8Array(members);
const latencies = new Samples(members * total);
let complete = 0;
let duplicates = 0;
let stray = 0;
let errorFrames = 0;
const errorSamples: string[] = [];
let acks = 0;
let measuring = false;
let wake: () => void = () => {};

function onFrame(i: number) {
  return (payload: Uint8Array) => {
    const text = payloadText(payload);
    // A `joined` frame may carry history from earlier rounds: only live
    // `message` frames count.
    const at = text.includes('"type":"message"') ? text.indexOf(MARKER) : -1;
    if (at >= 0) {
      const now = epochMs();
      const seqEnd = text.indexOf(" ", at + MARKER.length);
      const seq = Number(text.slice(at + MARKER.length, seqEnd));
      const sentAt = Number(text.slice(seqEnd + 1, text.indexOf('"', seqEnd)));
      if (!(seq >= 0 && seq < total)) {
        stray++;
      } else if (seen[i][seq]) {
        duplicates++;
      } else {
        seen[i][seq] = 1;
        if (measuring) latencies.push(now - sentAt);
        if (++received[i] === total && ++complete === members) wake();
      }
    } else if (text.includes('"type":"joined"')) {
      joinedAt[i] = 1;
    } else if (text.includes('"type":"ack"')) {
      acks++;
    } else if (text.includes('"type":"error"')) {
      errorFrames++;
      if (errorSamples.length < 3) errorSamples.push(text.slice(0, 200));
    }
  };
}

const opened = await openMany(values.url, members, 50, onFrame);
if (opened.failed > 0) {
  emit("error", {
    message: `${opened.failed} connections failed`,
    errors: opened.errors,
  });
  Deno.exit(1);
}
const sockets = opened.sockets.map((socket) => socket!);
await Promise.all(sockets.map((socket, i) =>
  socket.send(JSON.stringify({
    type: "join",
    room,
    name: `member-${first + i}`,
  }))
));
const joinDeadline = performance.now() + 30000;
while (joinedAt.some((j) => j === 0) && performance.now() < joinDeadline) {
  await sleep(20);
}
const notJoined = joinedAt.filter((j) => j === 0).length;
emit("ready", { members, notJoined, errors: errorSamples });

if (!await waitFor("go", 120000)) Deno.exit(2);
measuring = true;
const cpuBefore = selfCpuMs();
const start = performance.now();
const done = new Promise<void>((resolve) => {
  wake = resolve;
  if (complete === members) resolve();
});

let sent = 0;
if (values.sender) {
  const intervalMs = 1000 / rate;
  while (sent < total) {
    const due = Math.min(
      total,
      Math.floor((performance.now() - start) / intervalMs) + 1,
    );
    while (sent < due) {
      sockets[0].send(JSON.stringify({
        type: "send",
        id: `f${sent}`,
        text: `fanout ${sent} ${epochMs()}`,
        room,
      })).catch(() => {});
      sent++;
    }
    await sleep(Math.max(0, start + sent * intervalMs - performance.now()));
  }
}
const sendMs = performance.now() - start;
const expectedEnd = start + (total / rate) * 1000 + drainMs;
let timer: ReturnType<typeof setTimeout> | undefined;
await Promise.race([
  done,
  new Promise((resolve) => {
    timer = setTimeout(resolve, Math.max(0, expectedEnd - performance.now()));
  }),
]);
clearTimeout(timer);
const wallMs = performance.now() - start;
const cpuMs = selfCpuMs() - cpuBefore;

let delivered = 0;
for (const count of received) delivered += count;
// Sockets the server closed (e.g. 1013 for a reader that fell too far behind).
const closeCodes: Record<string, number> = {};
for (const socket of sockets) {
  const code = socket.closeCode();
  if (code !== undefined) closeCodes[code] = (closeCodes[code] ?? 0) + 1;
}
emit("result", {
  members,
  sender: values.sender,
  sent,
  acks,
  expected: members * total,
  delivered,
  missing: members * total - delivered,
  duplicates,
  stray,
  errorFrames,
  errorSamples,
  closeCodes,
  latencyMs: summarize(latencies.view()),
  latencySketch: sketch(latencies.view()),
  sendMs: Math.round(sendMs),
  generator: { cpuMs, wallMs: Math.round(wallMs) },
});
for (const socket of sockets) socket.close();
Deno.exit(0);
