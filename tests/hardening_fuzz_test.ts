/**
 * Seeded fuzzing of /ws on the real app process: thousands of malformed and
 * random frames over many connections, valid frames mixed in. Every malformed
 * frame must be answered by an error frame with the stable code its kind
 * calls for, frames over MAX_FRAME_BYTES close their socket with 1009, a
 * well-behaved client on the side keeps getting correct results, the server
 * stays up, and its resident memory stays bounded.
 *
 * The rate limit and in-flight cap are raised for this test: the point is
 * malformed input, not throttling (tests/ws_limits_test.ts covers those).
 * Set FUZZ_SEED to replay another sequence.
 */

import assert from "node:assert/strict";
import { buildApp } from "./helpers/build_app.ts";
import {
  REPO_ROOT,
  type ServerProcess,
  startServer,
} from "./helpers/server_process.ts";

// ------------------------------------------------------------ seeded PRNG

/** mulberry32: a tiny 32-bit PRNG; the same seed gives the same frames. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** Random text: ASCII, punctuation, quotes, controls and wide code points. */
  text(maxLength: number): string {
    const length = this.int(0, maxLength);
    let out = "";
    for (let i = 0; i < length; i++) {
      const kind = this.int(0, 9);
      const code = kind < 6
        ? this.int(0x20, 0x7e)
        : kind < 7
        ? this.int(0, 0x1f)
        : kind < 9
        ? this.int(0xa0, 0xd7ff)
        : this.int(0x1f300, 0x1f6ff);
      out += String.fromCodePoint(code);
    }
    return out;
  }
  bytes(maxLength: number): Uint8Array<ArrayBuffer> {
    const bytes = new Uint8Array(this.int(1, maxLength));
    for (let i = 0; i < bytes.length; i++) bytes[i] = this.int(0, 255);
    return bytes;
  }
}

// ------------------------------------------------------------ frame kinds

/** What a fuzz frame should get back. */
type Expect =
  | { error: string }
  | { pong: number }
  | { result: string; ack: boolean }
  | { welcome: true };

interface FuzzFrame {
  kind: string;
  data: string | Uint8Array<ArrayBuffer>;
  expect: Expect;
}

const MAX_TEXT_LENGTH = 2000;
const KNOWN_TYPES = [
  "hello",
  "send",
  "ping",
  "join",
  "leave",
  "series_open",
  "series_points",
  "series_close",
];

function json(value: unknown): string {
  return JSON.stringify(value);
}

/** Builds the `n`-th frame of a connection; ids are unique per connection. */
function makeFrame(rng: Rng, n: number): FuzzFrame {
  const id = `f${n}`;
  const err = (
    kind: string,
    data: string | Uint8Array<ArrayBuffer>,
    error: string,
  ) => ({
    kind,
    data,
    expect: { error },
  });
  switch (rng.int(0, 27)) {
    case 0:
      return err("not_json", "#" + rng.text(200), "bad_json");
    case 1:
      return err("empty", rng.pick(["", " ", "\n\t "]), "bad_json");
    case 2: {
      const whole = json({ type: "send", id, text: rng.text(30) });
      return err(
        "truncated",
        whole.slice(0, rng.int(1, whole.length - 1)),
        "bad_json",
      );
    }
    case 3:
      return err(
        "non_object",
        json(rng.pick<unknown>([
          rng.int(-1e6, 1e6),
          rng.text(20),
          null,
          true,
          false,
          [],
          [{ type: "ping" }],
        ])),
        "bad_frame",
      );
    case 4: {
      let type = "x" + rng.text(12).replace(/[^a-z_]/g, "");
      if (KNOWN_TYPES.includes(type)) type += "_";
      return err("unknown_type", json({ type, id }), "unknown_type");
    }
    case 5:
      return err("no_type", json({ id, text: "no type here" }), "unknown_type");
    case 6:
      return err(
        "type_not_string",
        json({ type: rng.pick<unknown>([1, true, null, ["send"], { a: 1 }]) }),
        "invalid_field",
      );
    case 7:
      return err(
        "wrong_field_type",
        rng.pick([
          json({ type: "send", id: rng.int(0, 99), text: "x" }),
          json({ type: "send", id, text: rng.int(0, 99) }),
          json({ type: "send", id, text: "x", processor: 7 }),
          json({ type: "ping", t: "soon" }),
          json({ type: "hello", protocol: "1" }),
          json({ type: "hello", protocol: 2 }),
          json({ type: "join", room: "lobby", name: "Ann", since: -1 }),
          json({ type: "join", room: "lobby", name: "Ann", since: 1.5 }),
          json({ type: "series_points", id, points: "1,2,3" }),
          json({ type: "series_points", id, points: [] }),
          json({ type: "series_open", id, horizon: 500 }),
          json({ type: "send", id: "", text: "x" }),
          json({ type: "send", id: "i".repeat(65), text: "x" }),
          json({ type: "send", text: "x" }),
        ]),
        "invalid_field",
      );
    case 8:
      return err(
        "text_empty",
        rng.pick([
          json({ type: "send", id, text: "" }),
          json({ type: "send", id, text: " \n\t " }),
          json({ message: "" }),
        ]),
        "text_empty",
      );
    case 9:
      return err(
        "text_too_long",
        rng.chance(0.5)
          ? json({
            type: "send",
            id,
            text: "a".repeat(rng.int(MAX_TEXT_LENGTH + 1, 3 * MAX_TEXT_LENGTH)),
          })
          : json({ message: "b".repeat(MAX_TEXT_LENGTH + 1 + rng.int(0, 50)) }),
        "text_too_long",
      );
    case 10:
      return err(
        "unknown_room",
        rng.chance(0.5)
          ? json({ type: "send", id, text: "hi", room: `nowhere-${n}` })
          : json({ type: "leave", room: `nowhere-${n}` }),
        "not_in_room",
      );
    case 11:
      return err(
        "bad_name",
        rng.pick([
          json({ type: "join", room: "bad room!", name: "Ann" }),
          json({ type: "join", room: "r".repeat(33), name: "Ann" }),
          json({ type: "join", room: "lobby", name: "<script>" }),
          json({ type: "join", room: "lobby", name: "   " }),
          json({ type: "send", id, text: "x", room: "../etc" }),
        ]),
        "invalid_name",
      );
    case 12:
      return err(
        "unknown_processor",
        json({ type: "send", id, text: "x", processor: `p-${rng.text(8)}` }),
        "unknown_processor",
      );
    case 13:
      return err("binary", rng.bytes(512), "binary_unsupported");
    case 14:
      return err(
        "unknown_series",
        rng.chance(0.5)
          ? json({ type: "series_points", id: `nope-${n}`, points: [1, 2, 3] })
          : json({ type: "series_close", id: `nope-${n}` }),
        "unknown_series",
      );
    case 15:
      return err(
        "bad_point",
        json({
          type: "series_points",
          id,
          points: [1, rng.pick<unknown>(["2", null, true, {}, [3]]), 4],
        }),
        "bad_point",
      );
    case 16:
    case 17:
    case 18: {
      const t = rng.int(0, 1e9);
      // Unknown fields are ignored, so junk next to a valid frame is fine.
      return {
        kind: "ping",
        data: json({ type: "ping", t, junk: rng.text(10) }),
        expect: { pong: t },
      };
    }
    case 19:
    case 20:
    case 21: {
      const text = `ok ${rng.text(20).replace(/\s+/g, "")} ${n}`;
      return {
        kind: "send",
        data: json({ type: "send", id, text }),
        expect: { result: text.toUpperCase(), ack: true },
      };
    }
    case 22: {
      const text = `seed ${n}`;
      return {
        kind: "seed",
        data: json({ message: text }),
        expect: { result: text.toUpperCase(), ack: false },
      };
    }
    case 23:
      return {
        kind: "hello",
        data: json({ type: "hello", protocol: 1, client: rng.text(10) }),
        expect: { welcome: true },
      };
    case 24:
      return err("random_bytes_text", "\u0000" + rng.text(100), "bad_json");
    case 25:
      return err(
        "deep_json",
        "[".repeat(rng.int(10, 2000)) + "]".repeat(rng.int(0, 5)),
        "bad_json",
      );
    case 26:
      return err(
        "nested_array",
        "[".repeat(50) + "]".repeat(50),
        "bad_frame",
      );
    default:
      return err(
        "random_object",
        json(Object.fromEntries(
          Array.from(
            { length: rng.int(0, 6) },
            (_, i) => [`k${i}${rng.text(4)}`, rng.text(8)],
          ),
        )),
        "unknown_type",
      );
  }
}

// ------------------------------------------------------------ connections

/** Counts of what one fuzz connection sent and expects, and what it got. */
interface Tally {
  expectedErrors: Map<string, number>;
  gotErrors: Map<string, number>;
  expectedPongs: Set<number>;
  expectedResults: Map<string, string>;
  expectedWelcomes: number;
  gotWelcomes: number;
  unexpected: string[];
}

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function settled(t: Tally): boolean {
  let errors = 0;
  let got = 0;
  for (const n of t.expectedErrors.values()) errors += n;
  for (const n of t.gotErrors.values()) got += n;
  return got >= errors && t.expectedPongs.size === 0 &&
    t.expectedResults.size === 0 && t.gotWelcomes >= t.expectedWelcomes;
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.onopen = () => resolve(socket);
    socket.onerror = () => reject(new Error(`could not open ${url}`));
  });
}

function closedCode(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) resolve(-1);
    socket.addEventListener("close", (e) => resolve(e.code), { once: true });
  });
}

/** Sends `frames` over one socket and resolves once every answer is in. */
async function fuzzConnection(
  url: string,
  frames: FuzzFrame[],
): Promise<Tally> {
  const socket = await open(url);
  const tally: Tally = {
    expectedErrors: new Map(),
    gotErrors: new Map(),
    expectedPongs: new Set(),
    expectedResults: new Map(),
    expectedWelcomes: 0,
    gotWelcomes: 0,
    unexpected: [],
  };
  let wake = () => {};
  socket.onmessage = (event) => {
    const frame = JSON.parse(event.data);
    if (frame.type === "error") bump(tally.gotErrors, frame.code);
    else if (frame.type === "pong" && tally.expectedPongs.has(frame.t)) {
      tally.expectedPongs.delete(frame.t);
    } else if (frame.type === "ack") {
      // acks precede results; nothing to count
    } else if (frame.type === "welcome") tally.gotWelcomes++;
    else if (frame.type === "result") {
      const id = frame.id as string;
      const key = tally.expectedResults.has(id)
        ? id
        : [...tally.expectedResults.entries()].find(([k, v]) =>
          k.startsWith("seed:") && v === frame.message
        )?.[0];
      if (key && tally.expectedResults.get(key) === frame.message) {
        tally.expectedResults.delete(key);
      } else tally.unexpected.push(event.data.slice(0, 200));
    } else tally.unexpected.push(event.data.slice(0, 200));
    wake();
  };
  const closed = closedCode(socket);
  for (const [i, frame] of frames.entries()) {
    const expect = frame.expect;
    if ("error" in expect) bump(tally.expectedErrors, expect.error);
    else if ("pong" in expect) tally.expectedPongs.add(expect.pong);
    else if ("welcome" in expect) tally.expectedWelcomes++;
    else {
      const key = expect.ack
        ? JSON.parse(frame.data as string).id
        : `seed:${i}`;
      tally.expectedResults.set(key, expect.result);
    }
    socket.send(frame.data);
    // Yield now and then so answers are read while sending.
    if (i % 25 === 24) await new Promise((r) => setTimeout(r, 0));
  }
  const done = new Promise<void>((resolve) => {
    wake = () => settled(tally) && resolve();
    wake();
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    done.then(() => "settled"),
    closed.then((code) => `closed ${code}`),
    // A bound on a hung test, not a speed assertion.
    new Promise<string>((r) => timer = setTimeout(() => r("timeout"), 120_000)),
  ]);
  clearTimeout(timer);
  assert.equal(
    outcome,
    "settled",
    JSON.stringify({
      expectedErrors: Object.fromEntries(tally.expectedErrors),
      gotErrors: Object.fromEntries(tally.gotErrors),
      pongs: tally.expectedPongs.size,
      results: [...tally.expectedResults].slice(0, 3),
    }),
  );
  socket.close();
  await closed;
  return tally;
}

/** Sends a few pings, then one frame over MAX_FRAME_BYTES: expects 1009. */
async function hugeFrameConnection(
  url: string,
  rng: Rng,
): Promise<{ code: number; pongs: number; bytes: number }> {
  const socket = await open(url);
  const closed = closedCode(socket);
  let pongs = 0;
  const gotPongs = new Promise<void>((resolve) => {
    socket.onmessage = (event) => {
      if (JSON.parse(event.data).type === "pong" && ++pongs === 3) resolve();
    };
  });
  for (let t = 0; t < 3; t++) socket.send(json({ type: "ping", t }));
  await gotPongs;
  const bytes = rng.int(65_537, 400_000);
  socket.send(
    rng.chance(0.5)
      ? json({ type: "send", id: "huge", text: "h".repeat(bytes) })
      : new Uint8Array(bytes),
  );
  return { code: await closed, pongs, bytes };
}

/** A client that only sends valid messages and checks every answer. */
async function wellBehaved(
  url: string,
  stop: Promise<void>,
): Promise<{ answered: number; wrong: string[]; closed: boolean }> {
  const socket = await open(url);
  let stopped = false;
  void stop.then(() => stopped = true);
  const wrong: string[] = [];
  let answered = 0;
  let pending: ((frame: Record<string, unknown>) => void) | undefined;
  let isClosed = false;
  socket.onclose = () => {
    isClosed = true;
    pending?.({ type: "closed" });
  };
  socket.onmessage = (event) => pending?.(JSON.parse(event.data));
  const next = () =>
    new Promise<Record<string, unknown>>((resolve) => pending = resolve);
  for (let i = 0; !stopped && !isClosed; i++) {
    const text = `steady message ${i}`;
    const ack = next();
    socket.send(json({ type: "send", id: `good-${i}`, text }));
    const first = await ack;
    const result = first.type === "ack" ? await next() : first;
    if (
      first.type !== "ack" || first.id !== `good-${i}` ||
      result.type !== "result" || result.id !== `good-${i}` ||
      result.message !== text.toUpperCase()
    ) {
      wrong.push(JSON.stringify([first, result]).slice(0, 300));
    } else answered++;
  }
  const closed = isClosed;
  socket.close();
  if (!isClosed) await closedCode(socket);
  return { answered, wrong, closed };
}

// ------------------------------------------------------------ the test

function mib(kib: number): string {
  return (kib / 1024).toFixed(1);
}

function rssKiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const match = status.match(/^VmRSS:\s+(\d+)\s+kB$/m);
  assert.ok(match, "VmRSS in /proc status");
  return Number(match[1]);
}

async function health(server: ServerProcess) {
  const res = await fetch(`${server.url}/healthz`);
  return { httpStatus: res.status, ...(await res.json()) };
}

async function waitForNoConnections(server: ServerProcess): Promise<void> {
  while ((await health(server)).connections !== 0) {
    await new Promise((r) => setTimeout(r, 50));
  }
}

const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 0x5eed1);
const CONNECTIONS = 40;
const FRAMES_PER_CONNECTION = 260;
const HUGE_CONNECTIONS = 12;
const EXTRA_ROUNDS = 3;
const HEAP_CAP_MIB = 64;

/** One round: CONNECTIONS fuzz sockets at once plus the huge-frame ones. */
async function round(url: string, rng: Rng, framesPer: number) {
  const plans = Array.from(
    { length: CONNECTIONS },
    () => Array.from({ length: framesPer }, (_, n) => makeFrame(rng, n)),
  );
  const tallies = await Promise.all(
    plans.map((frames) => fuzzConnection(url, frames)),
  );
  const huge = await Promise.all(
    Array.from(
      { length: HUGE_CONNECTIONS },
      () => hugeFrameConnection(url, rng),
    ),
  );
  return { plans, tallies, huge };
}

Deno.test("fuzz: 10,000+ malformed and random frames get stable error codes; server stays up, memory bounded", async () => {
  const build = await buildApp(REPO_ROOT);
  const server = await startServer({
    env: {
      ...build.env,
      KV_PATH: ":memory:",
      LOG_LEVEL: "warn",
      PROCESS_DELAY_MS: "5",
      RATE_PER_SECOND: "1000000",
      RATE_BURST: "1000000",
      MAX_IN_FLIGHT: "100000",
      MAX_CONNECTIONS_PER_IP: "1000",
    },
    permissions: [
      "--allow-net",
      "--allow-read",
      "--allow-env",
      // A capped old space makes V8 collect instead of growing lazily, so
      // RSS reflects what is live; a leak would crash or keep climbing.
      `--v8-flags=--max-old-space-size=${HEAP_CAP_MIB}`,
    ],
  });
  try {
    const url = `${server.wsUrl}/ws`;
    const rng = new Rng(SEED);

    // Warm-up: the same mix at a tenth of the volume, so lazily built
    // code paths and V8's first heap growth are in the baseline.
    await round(url, rng, 26);
    await waitForNoConnections(server);
    const rssBefore = rssKiB(server.process.pid);

    let stopSteady = () => {};
    const steady = wellBehaved(
      url,
      new Promise<void>((resolve) => stopSteady = resolve),
    );
    const { plans, tallies, huge } = await round(
      url,
      rng,
      FRAMES_PER_CONNECTION,
    );
    stopSteady();
    const side = await steady;
    // More of the same: memory must level off, not climb with volume.
    const rssAfterRounds = [];
    for (let extra = 0; extra < EXTRA_ROUNDS; extra++) {
      await waitForNoConnections(server);
      rssAfterRounds.push(rssKiB(server.process.pid));
      await round(url, rng, FRAMES_PER_CONNECTION);
    }
    await waitForNoConnections(server);
    const rssAfter = rssKiB(server.process.pid);

    // Every malformed frame got exactly its error code.
    const expected = new Map<string, number>();
    const got = new Map<string, number>();
    for (const t of tallies) {
      for (const [code, n] of t.expectedErrors) bump(expected, code, n);
      for (const [code, n] of t.gotErrors) bump(got, code, n);
      assert.deepEqual(t.unexpected, []);
    }
    assert.deepEqual(
      Object.fromEntries([...got].sort()),
      Object.fromEntries([...expected].sort()),
    );
    for (const h of huge) {
      assert.equal(h.code, 1009, `a ${h.bytes}-byte frame`);
      assert.equal(h.pongs, 3);
    }

    // The side client was answered correctly all along.
    assert.deepEqual(side.wrong, []);
    assert.equal(side.closed, false);
    assert.ok(side.answered > 0);

    // Still serving.
    const after = await health(server);
    assert.equal(after.httpStatus, 200);
    assert.equal(after.status, "ok");
    assert.equal(after.connections, 0);
    assert.doesNotMatch(server.stdout(), /Uncaught|"level":"error"|panicked/);

    const sent = plans.flat();
    const errorsAnswered = [...got.values()].reduce((a, b) => a + b, 0);
    const kinds = new Map<string, number>();
    for (const f of sent) bump(kinds, f.kind);
    console.log(
      `fuzz seed 0x${
        SEED.toString(16)
      }: ${sent.length} frames on ${CONNECTIONS} sockets ` +
        `+ ${huge.length} oversized frames (all closed 1009); ` +
        `${errorsAnswered} malformed frames answered with their error code ` +
        `${JSON.stringify(Object.fromEntries([...got].sort()))}; ` +
        `side client answered ${side.answered} times, all correct; ` +
        `then ${EXTRA_ROUNDS} more rounds (${
          (EXTRA_ROUNDS + 1) * sent.length
        } frames in all); server RSS (MiB) before ${mib(rssBefore)}, ` +
        `after each round ${
          [...rssAfterRounds, rssAfter].map(mib).join(", ")
        } ` +
        `(V8 old space capped at ${HEAP_CAP_MIB} MiB)`,
    );
    assert.ok(sent.length >= 10_000);
    // Bounded: ~40,000 frames fit in a 64 MiB heap, and RSS grows by far
    // less than that (a leak of a few KiB per frame would pass 100 MiB).
    assert.ok(
      rssAfter - rssBefore < 64 * 1024,
      `RSS grew from ${rssBefore} KiB to ${rssAfter} KiB`,
    );
  } finally {
    await server.stop();
  }
});
