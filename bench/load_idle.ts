/**
 * Idle connections: opens `--connections` sockets, sends one seed-format
 * message on each and waits for its reply (so every connection is known to
 * work end to end), prints `ready`, then holds them until `close` arrives on
 * stdin (or `--hold` seconds pass), and prints `result`.
 *
 * `deno run -A bench/load_idle.ts --url ws://127.0.0.1:8001/ws --connections 5000`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { emit, openMany, selfCpuMs, sleep, waitFor } from "./gen.ts";
import { payloadText } from "./ws_client.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    connections: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "100" },
    hold: { type: "string", default: "120" },
  },
});
if (!values.url) throw new Error("--url is required");
const connections = Number(values.connections);

const answered = new Uint8Array(connections);
let answeredCount = 0;
let badReplies = 0;
const samples: string[] = [];
const cpuBefore = selfCpuMs();
const start = performance.now();

const opened = await openMany(
  values.url,
  connections,
  Number(values.concurrency),
  (i) => (payload) => {
    const text = payloadText(payload);
    if (text.includes("IDLE ")) {
      if (answered[i] === 0) {
        answered[i] = 1;
        answeredCount++;
      }
    } else {
      badReplies++;
      if (samples.length < 3) samples.push(text.slice(0, 200));
    }
  },
  // Thousands of sockets, one tiny reply each: a small read buffer is enough.
  { readBufferSize: 512 },
);
const sockets = opened.sockets;
await Promise.all(
  sockets.map((socket, i) =>
    socket?.send(JSON.stringify({ message: `idle ${i}` })).catch(() => {})
  ),
);
const open = connections - opened.failed;
const deadline = performance.now() + 30000;
while (answeredCount < open && performance.now() < deadline) await sleep(20);
let stillOpen = 0;
for (const socket of sockets) if (socket && !socket.closeCode()) stillOpen++;
emit("ready", {
  connections,
  open,
  answered: answeredCount,
  failed: opened.failed,
  errors: opened.errors,
  badReplies,
  samples,
  stillOpen,
  connectMs: Math.round(performance.now() - start),
});

await waitFor("close", Number(values.hold) * 1000);
const cpuMs = selfCpuMs() - cpuBefore;
for (const socket of sockets) socket?.close();
emit("result", {
  generator: { cpuMs, wallMs: Math.round(performance.now() - start) },
});
Deno.exit(0);
