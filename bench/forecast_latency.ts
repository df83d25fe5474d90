/**
 * Forecast latency over /ws: opens one series and streams N points, one
 * `series_points` frame per point, waiting for each point's `forecast`
 * before sending the next. Prints the round-trip latency (send → forecast
 * received) per point: median, p90, p99, max; split into points whose batch
 * triggered an inline refit (the server refits α and β on the event loop up
 * to 2,000 points) and the rest; plus the server's own compute time
 * (`elapsedMs`) and, for a self-started server, the refits run in the worker
 * pool meanwhile.
 *
 * Usage:
 *   deno run -A bench/forecast_latency.ts                 # starts its own server
 *   deno run -A bench/forecast_latency.ts --points=2000
 *   deno run -A bench/forecast_latency.ts --url=ws://127.0.0.1:8000/ws
 *
 * Its own server is this file run with `--serve` in a child process: a
 * RealtimeServer behind Deno.serve, production defaults except the frame
 * rate limit (raised so that the limit, not the server, is not what is
 * measured). Against `--url`, frames are paced under the server's announced
 * rate limit instead, so a default server takes N / 20 seconds.
 *
 * @module
 */

import { loadConfig } from "../lib/config.ts";
import { RealtimeServer } from "../lib/server/realtime.ts";
import { refitInterval } from "../lib/forecast/series_session.ts";
import { createTicker, tickerTake } from "../lib/forecast/ticker.ts";
import { summarize } from "./stats.ts";

/** Server settings of `--serve`: quiet, in-memory KV, no frame-rate cap. */
const SERVE_ENV: Readonly<Record<string, string>> = {
  LOG_LEVEL: "error",
  KV_PATH: ":memory:",
  RATE_PER_SECOND: "1000000",
  RATE_BURST: "1000000",
};

/** Points up to which the server refits inline (lib/forecast/series_session.ts). */
const INLINE_REFIT_MAX_POINTS = 2_000;

interface Options {
  serve: boolean;
  url?: string;
  points: number;
  horizon: number;
}

function parseOptions(args: string[]): Options {
  const options: Options = { serve: false, points: 5_000, horizon: 10 };
  for (const arg of args) {
    const [key, value] = arg.split("=", 2);
    if (key === "--serve") options.serve = true;
    else if (key === "--url") options.url = value;
    else if (key === "--points") options.points = Number(value);
    else if (key === "--horizon") options.horizon = Number(value);
    else throw new Error(`Unknown argument ${arg}`);
  }
  if (!Number.isInteger(options.points) || options.points < 3) {
    throw new Error("--points must be an integer of at least 3");
  }
  return options;
}

/** `--serve`: runs the server and prints `{"port": N}` once listening. */
function serve(): void {
  const config = loadConfig({ ...Deno.env.toObject(), ...SERVE_ENV });
  const realtime = new RealtimeServer({ config });
  const server = Deno.serve(
    {
      hostname: "127.0.0.1",
      port: 0,
      onListen: ({ port }) => console.log(JSON.stringify({ port })),
    },
    (req, info) => {
      const { pathname } = new URL(req.url);
      if (pathname === "/ws") return realtime.upgrade(req, info.remoteAddr);
      if (pathname === "/stats") return Response.json(realtime.stats());
      return new Response("Not found", { status: 404 });
    },
  );
  Deno.addSignalListener("SIGTERM", async () => {
    await realtime.shutdown(500);
    await server.shutdown();
    Deno.exit(0);
  });
}

/** The child running `--serve`, and how to reach and stop it. */
interface OwnServer {
  wsUrl: string;
  statsUrl: string;
  workers: number;
  stop(): Promise<void>;
}

async function startOwnServer(): Promise<OwnServer> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, "--serve"],
    cwd: new URL("../", import.meta.url).pathname,
    stdout: "piped",
    stderr: "inherit",
    stdin: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("The server exited before listening");
    text += value;
  }
  const { port } = JSON.parse(text.slice(0, text.indexOf("\n")));
  const drain = (async () => {
    while (!(await reader.read()).done) { /* discard */ }
  })();
  const stats = await (await fetch(`http://127.0.0.1:${port}/stats`)).json();
  return {
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    statsUrl: `http://127.0.0.1:${port}/stats`,
    workers: stats.pool.size,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await drain;
    },
  };
}

async function poolCompleted(statsUrl: string): Promise<number> {
  const stats = await (await fetch(statsUrl)).json();
  return stats.pool.completed;
}

/** A socket whose frames are awaited one at a time. */
class Link {
  #queue: Record<string, unknown>[] = [];
  #waiter: (() => void) | null = null;
  readonly closed: Promise<void>;

  private constructor(readonly socket: WebSocket) {
    socket.onmessage = (event) => {
      this.#queue.push(JSON.parse(event.data));
      this.#waiter?.();
    };
    this.closed = new Promise((resolve) => socket.onclose = () => resolve());
  }

  static open(url: string): Promise<Link> {
    const socket = new WebSocket(url);
    return new Promise((resolve, reject) => {
      socket.onopen = () => resolve(new Link(socket));
      socket.onerror = () => reject(new Error(`Cannot connect to ${url}`));
    });
  }

  send(frame: unknown): void {
    this.socket.send(JSON.stringify(frame));
  }

  /** The next frame of `type`; an error frame throws. */
  async next(type: string): Promise<Record<string, unknown>> {
    while (true) {
      const frame = this.#queue.shift();
      if (frame === undefined) {
        await new Promise<void>((resolve) => this.#waiter = resolve);
        this.#waiter = null;
        continue;
      }
      if (frame.type === type) return frame;
      if (frame.type === "error") {
        throw new Error(`Server error: ${frame.code}: ${frame.message}`);
      }
    }
  }

  async close(): Promise<void> {
    this.socket.close();
    await this.closed;
  }
}

/** Which point counts trigger an inline refit, as the server schedules them. */
function inlineRefitPoints(total: number): Set<number> {
  const points = new Set<number>();
  let fittedAt = 0;
  for (let n = 3; n <= Math.min(total, INLINE_REFIT_MAX_POINTS); n++) {
    if (fittedAt === 0 || n - fittedAt >= refitInterval(fittedAt)) {
      points.add(n);
      fittedAt = n;
    }
  }
  return points;
}

function describe(label: string, values: number[]): string {
  if (values.length === 0) return `${label}: none`;
  const s = summarize(values);
  const sorted = Float64Array.from(values).sort();
  const p90 =
    sorted[Math.min(values.length - 1, Math.ceil(0.9 * values.length) - 1)];
  return `${label}: ${s.count} points, median ${s.p50.toFixed(3)} ms, ` +
    `p90 ${p90.toFixed(3)} ms, p99 ${s.p99.toFixed(3)} ms, max ${
      s.max.toFixed(3)
    } ms`;
}

async function measure(options: Options): Promise<void> {
  const own = options.url ? undefined : await startOwnServer();
  const url = options.url ?? own!.wsUrl;
  try {
    const link = await Link.open(url);
    link.send({ type: "hello", protocol: 1, client: "forecast-latency" });
    const welcome = await link.next("welcome");
    const limits = welcome.limits as {
      ratePerSecond: number;
      rateBurst: number;
    };
    // Pace under the announced limit (a token bucket at 90% of the rate).
    const rate = limits.ratePerSecond * 0.9;
    let tokens = Math.max(1, limits.rateBurst - 2);
    let refilledAt = performance.now();
    const takeToken = async () => {
      while (true) {
        const now = performance.now();
        tokens = Math.min(
          limits.rateBurst - 2,
          tokens + (now - refilledAt) * rate / 1000,
        );
        refilledAt = now;
        if (tokens >= 1) {
          tokens -= 1;
          return;
        }
        await new Promise((resolve) =>
          setTimeout(resolve, (1 - tokens) * 1000 / rate)
        );
      }
    };

    const completedBefore = own ? await poolCompleted(own.statsUrl) : 0;
    await takeToken();
    link.send({ type: "series_open", id: "bench", horizon: options.horizon });
    await link.next("series_opened");
    const prices = tickerTake(createTicker({ seed: 2024 }), options.points)[0];
    const inline = inlineRefitPoints(options.points);
    const withRefit: number[] = [];
    const without: number[] = [];
    const serverMs: number[] = [];
    const started = performance.now();
    for (let i = 0; i < prices.length; i++) {
      await takeToken();
      const sentAt = performance.now();
      link.send({ type: "series_points", id: "bench", points: [prices[i]] });
      const frame = await link.next("forecast");
      const latency = performance.now() - sentAt;
      if (frame.n !== i + 1) {
        throw new Error(`Expected n=${i + 1}, got ${frame.n}`);
      }
      (inline.has(i + 1) ? withRefit : without).push(latency);
      serverMs.push(frame.elapsedMs as number);
    }
    const seconds = (performance.now() - started) / 1000;
    await takeToken();
    link.send({ type: "series_close", id: "bench" });
    await link.next("series_closed");
    await link.close();
    const poolRefits = own
      ? (await poolCompleted(own.statsUrl)) - completedBefore
      : undefined;

    const all = [...withRefit, ...without];
    console.log(
      `forecast latency: ${options.points} points, one frame each, horizon ${options.horizon}, ` +
        `${
          own ? `own server (RealtimeServer, ${own.workers} pool workers)` : url
        }; ` +
        `${seconds.toFixed(1)} s`,
    );
    console.log(describe("  round trip, all", all));
    console.log(
      describe("  round trip, batches with an inline refit", withRefit),
    );
    console.log(describe("  round trip, other batches", without));
    console.log(describe("  server compute (elapsedMs)", serverMs));
    if (poolRefits !== undefined) {
      console.log(`  refits in the worker pool meanwhile: ${poolRefits}`);
    }
  } finally {
    await own?.stop();
  }
}

if (import.meta.main) {
  const options = parseOptions(Deno.args);
  if (options.serve) serve();
  else await measure(options);
}
