import { batch, useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { ForecastFrame } from "../lib/protocol.ts";
import { ForecastChart } from "../components/ForecastChart.tsx";
import { LiveForecast } from "../lib/forecast/connection.ts";
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
  /** Points a series may hold: the server's SERIES_MAX_POINTS. */
  maxPoints?: number;
}

const VISIBLE_POINTS = 240;
const MAX_SPEED = 50;
const HORIZONS = [5, 10, 20, 50];
const LEVELS = [0.8, 0.9, 0.95, 0.99];

/** Non-rendered state the effects and handlers share. */
interface Runtime {
  live: LiveForecast | null;
  /** The newest forecast, not drawn yet. */
  frame: ForecastFrame | null;
  /** The chart must be cleared (a new series started). */
  cleared: boolean;
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
 * Live price series with a Holt forecast computed by the server: feed it from
 * a seeded simulated ticker (up to 50 points/s) or by pasting numbers. Points
 * go to `/ws` through {@link LiveForecast}; each forecast is drawn with the
 * points it was computed from, at most once per animation frame.
 */
export default function Forecast(props: ForecastProps) {
  const maxPoints = props.maxPoints ?? 10_000;
  const history = useSignal<readonly number[]>([]);
  const drawnN = useSignal(0);
  const fed = useSignal(0);
  const latest = useSignal<ForecastFrame | null>(null);
  const running = useSignal(false);
  const speed = useSignal(10);
  const horizon = useSignal(10);
  const level = useSignal(0.95);
  const status = useSignal("connecting");
  const error = useSignal<string | null>(null);
  const pasted = useSignal("");
  const runtime = useRef<Runtime>({
    live: null,
    frame: null,
    cleared: false,
    raf: null,
    ticker: createTicker({ seed: props.seed ?? 1 }),
    timer: null,
    tickStartedAt: 0,
    ticksEmitted: 0,
  }).current;

  /** Draws whatever arrived since the last animation frame, once. */
  function draw() {
    runtime.raf = null;
    const live = runtime.live;
    if (!live) return;
    const frame = runtime.frame;
    const cleared = runtime.cleared;
    runtime.frame = null;
    runtime.cleared = false;
    batch(() => {
      fed.value = live.points.length;
      if (frame) {
        history.value = live.points.slice(
          Math.max(0, frame.n - VISIBLE_POINTS),
          frame.n,
        );
        drawnN.value = frame.n;
        latest.value = frame;
      } else if (cleared) {
        history.value = [];
        drawnN.value = 0;
        latest.value = null;
      }
    });
  }

  function scheduleDraw() {
    if (runtime.raf === null) runtime.raf = requestAnimationFrame(draw);
  }

  function add(points: number[]): boolean {
    const live = runtime.live;
    const problem = live
      ? live.add(points)
      : { code: "not_ready", message: "Not ready yet; try again shortly." };
    if (problem) {
      error.value = problem.message;
      return false;
    }
    scheduleDraw();
    return true;
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
    if (!add(prices)) stopTicker();
  }

  function startTicker() {
    if (runtime.timer !== null) return;
    error.value = null;
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
      error.value = `Not finite numbers: ${bad.slice(0, 5).join(", ")}${
        bad.length > 5 ? ", …" : ""
      }. Nothing was added.`;
      return;
    }
    if (values.length === 0) {
      error.value = "Type or paste some numbers first.";
      return;
    }
    if (add(values)) {
      error.value = null;
      pasted.value = "";
    }
  }

  useEffect(() => {
    const client = new SocketClient({ clientName: "forecast-island" });
    const live = new LiveForecast(client, {
      horizon: horizon.value,
      level: level.value,
      maxPoints,
    });
    runtime.live = live;
    live.onForecast((frame) => {
      runtime.frame = frame;
      scheduleDraw();
    });
    live.onRestart(() => {
      runtime.frame = null;
      runtime.cleared = true;
      scheduleDraw();
    });
    live.onError((problem) => {
      error.value = `${problem.message} (${problem.code})`;
      stopTicker();
    });
    live.onStatus((state) => status.value = state);
    client.connect();
    return () => {
      stopTicker();
      if (runtime.raf !== null) cancelAnimationFrame(runtime.raf);
      live.dispose();
      client.destroy();
      runtime.live = null;
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
              runtime.live?.configure({ horizon: horizon.value });
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
              runtime.live?.configure({ level: level.value });
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
          onClick={() => {
            error.value = null;
            runtime.live?.reset();
          }}
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

      <p class="forecast__status">
        <span class="forecast__badge" data-state={status.value}>
          {status.value}
        </span>{" "}
        {fed.value} points fed, {drawnN.value} forecast by the server
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
        n={drawnN.value}
        forecast={frame?.forecast ?? []}
        lower={frame?.lower ?? []}
        upper={frame?.upper ?? []}
        level={frame?.level ?? level.value}
      />
    </section>
  );
}
