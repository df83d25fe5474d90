/**
 * Ping round trips while the CPU-bound processor is saturated (our server
 * only). One connection keeps `--in-flight` jobs of `--processor` running at
 * all times (a new one as each finishes); another sends an app-level `ping`
 * every `--interval` ms and records the time to its `pong`.
 *
 * `deno run -A bench/load_ping.ts --url ws://127.0.0.1:8000/ws --processor <cpu processor>`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { emit, openMany, selfCpuMs, sleep } from "./gen.ts";
import { Samples, summarize } from "./stats.ts";
import { payloadText, type RawSocket } from "./ws_client.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    processor: { type: "string" },
    text: { type: "string", default: "bench load" },
    "in-flight": { type: "string", default: "8" },
    seconds: { type: "string", default: "3" },
    warmup: { type: "string", default: "0.5" },
    interval: { type: "string", default: "10" },
  },
});
if (!values.url || !values.processor) {
  throw new Error("--url and --processor are required");
}
const inFlight = Number(values["in-flight"]);
const measureMs = Number(values.seconds) * 1000;
const warmupMs = Number(values.warmup) * 1000;
const intervalMs = Number(values.interval);

let jobsDone = 0;
let jobErrors = 0;
let running = true;
const errorSamples: string[] = [];
const jobTimes = new Samples();
const startedAt = new Map<string, number>();
let nextJob = 0;
// Set once the sockets are open; the frame handlers need it first.
const sockets: { worker?: RawSocket } = {};

function startJob() {
  const id = `j${nextJob++}`;
  startedAt.set(id, performance.now());
  sockets.worker!.send(JSON.stringify({
    type: "send",
    id,
    text: values.text,
    processor: values.processor,
  })).catch(() => {});
}

function onWorkerFrame(payload: Uint8Array) {
  const text = payloadText(payload);
  if (text.includes('"type":"ack"')) return;
  const id = /"id":"(j\d+)"/.exec(text)?.[1];
  if (!id || !startedAt.has(id)) return;
  if (text.includes('"type":"result"')) {
    jobsDone++;
    jobTimes.push(performance.now() - startedAt.get(id)!);
  } else {
    jobErrors++;
    if (errorSamples.length < 3) errorSamples.push(text.slice(0, 200));
  }
  startedAt.delete(id);
  if (running) startJob();
}

const rtts = new Samples();
let pending: ((now: number) => void) | undefined;
function onPingerFrame(payload: Uint8Array) {
  const now = performance.now();
  if (payloadText(payload).includes('"type":"pong"')) pending?.(now);
}

const opened = await openMany(
  values.url,
  2,
  2,
  (i) => i === 0 ? onWorkerFrame : onPingerFrame,
);
if (opened.failed > 0) {
  emit("error", { message: "connection failed", errors: opened.errors });
  Deno.exit(1);
}
const worker = opened.sockets[0]!;
sockets.worker = worker;
const pinger = opened.sockets[1]!;

const cpuBefore = selfCpuMs();
const start = performance.now();
for (let i = 0; i < inFlight; i++) startJob();
await sleep(warmupMs);
const jobsBefore = jobsDone;
const measureStart = performance.now();
let lostPongs = 0;
while (performance.now() - measureStart < measureMs) {
  const sentAt = performance.now();
  const rtt = await new Promise<number>((resolve) => {
    const timer = setTimeout(() => resolve(NaN), 2000);
    pending = (now) => {
      clearTimeout(timer);
      resolve(now - sentAt);
    };
    pinger.send(JSON.stringify({ type: "ping", t: sentAt })).catch(() => {});
  });
  pending = undefined;
  if (Number.isNaN(rtt)) lostPongs++;
  else rtts.push(rtt);
  await sleep(intervalMs);
}
const measuredMs = performance.now() - measureStart;
const jobsInWindow = jobsDone - jobsBefore;
running = false;
const cpuMs = selfCpuMs() - cpuBefore;
worker.close();
pinger.close();
emit("result", {
  processor: values.processor,
  inFlight,
  rttMs: summarize(rtts.view()),
  lostPongs,
  jobsPerSecond: Math.round(jobsInWindow / (measuredMs / 1000)),
  jobMs: summarize(jobTimes.view()),
  jobErrors,
  errorSamples,
  generator: { cpuMs, wallMs: Math.round(performance.now() - start) },
});
Deno.exit(0);
