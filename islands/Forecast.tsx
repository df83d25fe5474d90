import { batch, useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { ForecastFrame } from "../lib/protocol.ts";
import { ForecastChart } from "../components/ForecastChart.tsx";
import {
  createLocalForecastConnection,
  createSocketForecastConnection,
  type ForecastConnection,
} from "../lib/forecast/connection.ts";
import {
  createTicker,
  type TickerState,
  tickerTake,
} from "../lib/forecast/ticker.ts";
import { SocketClient } from "../lib/client/socket_client.ts";

/** Props of the forecast island (JSON-serialisable, as Fresh requires). */
export interface ForecastProps {
  /** Seed of the simulated ticker. */
  seed?: number;
  /** Points a series may hold (the server's default limit is 10,000). */
  maxPoints?: number;
  /**
   * "local" runs the model in the page; "server" sends the series over `/ws`
   * through the app's SocketClient.
   */
  mode?: "local" | "server";
}

const VISIBLE_POINTS = 240;
const MAX_SPEED = 50;
const MAX_POINTS_PER_FRAME = 1000;
const HORIZONS = [5, 10, 20, 50];
const LEVELS = [0.8, 0.9, 0.95, 0.99];

/** Non-rendered state the effects and handlers share. */
interface Runtime {
  connection: ForecastConnection | null;
  teardown: () => void;
  seriesId: string;
  seriesCount: number;
  all: number[];
  pending: number[];
  frame: ForecastFrame | null;
  raf: number | null;
  ticker: TickerState;
  timer: ReturnType<typeof setInterval> | null;
  tickStartedAt: number;
  ticksEmitted: number;
}

/** Parses pasted numbers; returns the values or the tokens that are not finite numbers. */
export function parseNumbers(
  text: string,
): { values: number[]; bad: string[] } {
  const tokens = text.split(/[\s,;]+/).filter((token) => token !== "");
  const values: number[] = [];
  const bad: string[] = [];
  for (const token of tokens) {
    const value = Number(token);
    if (Number.isFinite(value)) values.push(value);
    else bad.push(token);
  }
  return { values, bad };
}

/**
 * Live price series with a Holt forecast: feed it from a seeded simulated
 * ticker (up to 50 points/s) or by pasting numbers. Points are batched per
 * animation frame, both for sending and for drawing.
 */
export default function Forecast(props: ForecastProps) {
  const maxPoints = props.maxPoints ?? 10_000;
  const history = useSignal<number[]>([]);
  const count = useSignal(0);
  const latest = useSignal<ForecastFrame | null>(null);
  const running = useSignal(false);
  const speed = useSignal(10);
  const horizon = useSignal(10);
  const level = useSignal(0.95);
  const status = useSignal("starting");
  const error = useSignal<string | null>(null);
  const pasted = useSignal("");
  const runtime = useRef<Runtime>({
    connection: null,
    teardown: () => {},
    seriesId: "",
    seriesCount: 0,
    all: [],
    pending: [],
    frame: null,
    raf: null,
    ticker: createTicker({ seed: props.seed ?? 1 }),
    timer: null,
    tickStartedAt: 0,
    ticksEmitted: 0,
  }).current;

  function flush() {
    runtime.raf = null;
    const points = runtime.pending.splice(0);
    const connection = runtime.connection;
    if (connection && points.length > 0) {
      for (let i = 0; i < points.length; i += MAX_POINTS_PER_FRAME) {
        connection.points(
          runtime.seriesId,
          points.slice(i, i + MAX_POINTS_PER_FRAME),
        );
      }
      runtime.all.push(...points);
    }
    batch(() => {
      if (points.length > 0) {
        history.value = [...history.value, ...points].slice(-VISIBLE_POINTS);
        count.value = runtime.all.length;
      }
      if (runtime.frame) {
        latest.value = runtime.frame;
        runtime.frame = null;
      }
    });
  }

  function scheduleFlush() {
    if (runtime.raf === null) runtime.raf = requestAnimationFrame(flush);
  }

  function enqueue(points: number[]): boolean {
    const room = maxPoints - runtime.all.length - runtime.pending.length;
    if (points.length > room) {
      error.value = `A series holds at most ${maxPoints} points; ${
        Math.max(0, room)
      } more fit. Reset to start a new one.`;
      return false;
    }
    runtime.pending.push(...points);
    scheduleFlush();
    return true;
  }

  function openSeries(replay: number[]) {
    const connection = runtime.connection;
    if (!connection) return;
    if (runtime.seriesId) connection.close(runtime.seriesId);
    runtime.seriesCount += 1;
    runtime.seriesId = `forecast-${runtime.seriesCount}`;
    runtime.all = [];
    runtime.pending = [];
    runtime.frame = null;
    batch(() => {
      history.value = [];
      count.value = 0;
      latest.value = null;
      error.value = null;
    });
    connection.open(runtime.seriesId, {
      horizon: horizon.value,
      level: level.value,
    });
    if (replay.length > 0) enqueue(replay);
  }

  function tick() {
    const due = Math.floor(
      (performance.now() - runtime.tickStartedAt) * speed.value / 1000,
    ) - runtime.ticksEmitted;
    if (due <= 0) return;
    // After a throttled background tab, catch up by at most one second.
    const take = Math.min(due, speed.value);
    const [prices, next] = tickerTake(runtime.ticker, take);
    runtime.ticker = next;
    runtime.ticksEmitted += due;
    if (!enqueue(prices)) stopTicker();
  }

  function startTicker() {
    if (runtime.timer !== null) return;
    runtime.tickStartedAt = performance.now();
    runtime.ticksEmitted = 0;
    runtime.timer = setInterval(tick, 1000 / MAX_SPEED);
    running.value = true;
  }

  function stopTicker() {
    if (runtime.timer !== null) clearInterval(runtime.timer);
    runtime.timer = null;
    running.value = false;
  }

  function setSpeed(value: number) {
    speed.value = Math.min(MAX_SPEED, Math.max(1, Math.round(value)));
    runtime.tickStartedAt = performance.now();
    runtime.ticksEmitted = 0;
  }

  function addPasted(event: Event) {
    event.preventDefault();
    const { values, bad } = parseNumbers(pasted.value);
    if (bad.length > 0) {
      error.value = `Not numbers: ${bad.slice(0, 5).join(", ")}${
        bad.length > 5 ? ", …" : ""
      }. Nothing was added.`;
      return;
    }
    if (values.length === 0) {
      error.value = "Type or paste some numbers first.";
      return;
    }
    if (enqueue(values)) {
      error.value = null;
      pasted.value = "";
    }
  }

  useEffect(() => {
    let connection: ForecastConnection;
    if (props.mode === "server") {
      const client = new SocketClient({ clientName: "forecast-island" });
      connection = createSocketForecastConnection(client);
      client.connect();
      runtime.teardown = () => client.destroy();
    } else {
      connection = createLocalForecastConnection({
        maxSeriesLength: maxPoints,
      });
    }
    runtime.connection = connection;
    connection.onForecast((frame) => {
      if (frame.id !== runtime.seriesId) return;
      runtime.frame = frame;
      scheduleFlush();
    });
    connection.onError((problem) => {
      if (problem.id !== undefined && problem.id !== runtime.seriesId) return;
      error.value = `${problem.message} (${problem.code})`;
      if (problem.code === "series_too_long") stopTicker();
    });
    connection.onStatus((text) => status.value = text);
    openSeries([]);
    return () => {
      stopTicker();
      if (runtime.raf !== null) cancelAnimationFrame(runtime.raf);
      connection.close(runtime.seriesId);
      connection.dispose();
      runtime.teardown();
      runtime.connection = null;
    };
  }, []);

  const frame = latest.value;
  return (
    <section class="forecast" aria-label="Live forecast">
      <div class="forecast__controls">
        <button
          type="button"
          class="forecast__button forecast__button--primary"
          aria-pressed={running.value}
          onClick={() => running.value ? stopTicker() : startTicker()}
        >
          {running.value ? "Stop ticker" : "Start ticker"}
        </button>
        <label class="forecast__field">
          <span>Speed</span>
          <input
            type="range"
            min="1"
            max={MAX_SPEED}
            value={speed.value}
            onInput={(e) => setSpeed(Number(e.currentTarget.value))}
          />
          <output class="forecast__speed">{speed.value} points/s</output>
        </label>
        <label class="forecast__field">
          <span>Horizon</span>
          <select
            value={horizon.value}
            onChange={(e) => {
              horizon.value = Number(e.currentTarget.value);
              openSeries(runtime.all.concat(runtime.pending));
            }}
          >
            {HORIZONS.map((h) => <option key={h} value={h}>{h} steps</option>)}
          </select>
        </label>
        <label class="forecast__field">
          <span>Interval</span>
          <select
            value={level.value}
            onChange={(e) => {
              level.value = Number(e.currentTarget.value);
              openSeries(runtime.all.concat(runtime.pending));
            }}
          >
            {LEVELS.map((l) => (
              <option key={l} value={l}>{Math.round(l * 100)}%</option>
            ))}
          </select>
        </label>
        <button
          type="button"
          class="forecast__button"
          onClick={() => openSeries([])}
        >
          Reset
        </button>
      </div>

      <form class="forecast__paste" onSubmit={addPasted}>
        <label class="forecast__paste-label" for="forecast-paste">
          Add your own numbers (separated by spaces, commas or new lines)
        </label>
        <textarea
          id="forecast-paste"
          class="forecast__textarea"
          rows={3}
          value={pasted.value}
          onInput={(e) => pasted.value = e.currentTarget.value}
        />
        <button type="submit" class="forecast__button">Add points</button>
      </form>

      <p class="forecast__status" role="status">
        <span class="forecast__badge">{status.value}</span> {count.value} points
        {frame
          ? ` · ${
            frame.method === "holt"
              ? "Holt's linear trend"
              : "naive (too few points)"
          } · computed in ${frame.elapsedMs} ms`
          : ""}
      </p>
      {error.value && <p class="forecast__error" role="alert">{error.value}</p>}

      <ForecastChart
        history={history.value}
        n={count.value}
        forecast={frame?.forecast ?? []}
        lower={frame?.lower ?? []}
        upper={frame?.upper ?? []}
        level={frame?.level ?? level.value}
      />
    </section>
  );
}
