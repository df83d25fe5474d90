/**
 * A small Prometheus registry: counters, gauges and histograms with labels,
 * rendered in the text exposition format, version 0.0.4.
 *
 * Values can be pushed as events happen (`inc`, `set`, `observe`) or pulled
 * at scrape time from a `collect` hook, which is how the app mirrors the
 * realtime server's `stats()` into metrics without the server knowing about
 * Prometheus.
 *
 * @example
 * ```ts
 * const registry = new Registry();
 * const frames = registry.counter({
 *   name: "ws_frames_in_total",
 *   help: "Frames received.",
 * });
 * frames.inc();
 * const body = await registry.render();
 * ```
 * @module
 */

/** The `Content-Type` of the text exposition format. */
export const PROMETHEUS_CONTENT_TYPE =
  "text/plain; version=0.0.4; charset=utf-8";

/** Label values of one series, by label name. */
export type Labels = Record<string, string>;

/** Buckets (upper bounds, in seconds) suited to in-process latencies. */
export const DEFAULT_BUCKETS: readonly number[] = [
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

/** What every metric is declared with. */
export interface MetricOptions {
  /** Metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`. */
  name: string;
  /** One line of help text. */
  help: string;
  /** Names of the labels every sample must carry. @default {[]} */
  labelNames?: readonly string[];
}

/** Options of {@linkcode Registry.histogram}. */
export interface HistogramOptions extends MetricOptions {
  /** Upper bounds of the buckets, strictly increasing; `+Inf` is implied. */
  buckets?: readonly number[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

abstract class Metric {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  abstract readonly type: "counter" | "gauge" | "histogram";

  constructor(options: MetricOptions, reserved: readonly string[] = []) {
    if (!METRIC_NAME.test(options.name)) {
      throw new TypeError(`invalid metric name: ${options.name}`);
    }
    const labelNames = options.labelNames ?? [];
    for (const label of labelNames) {
      if (
        !LABEL_NAME.test(label) || label.startsWith("__") ||
        reserved.includes(label)
      ) {
        throw new TypeError(`invalid label name for ${options.name}: ${label}`);
      }
    }
    if (new Set(labelNames).size !== labelNames.length) {
      throw new TypeError(`duplicate label name for ${options.name}`);
    }
    this.name = options.name;
    this.help = options.help;
    this.labelNames = labelNames;
  }

  /** A stable key for one label set; checks the set matches the declaration. */
  protected key(labels: Labels = {}): string {
    const given = Object.keys(labels);
    if (
      given.length !== this.labelNames.length ||
      !this.labelNames.every((name) => typeof labels[name] === "string")
    ) {
      throw new TypeError(
        `${this.name} expects labels {${this.labelNames.join(", ")}}, got {${
          given.join(", ")
        }}`,
      );
    }
    return JSON.stringify(this.labelNames.map((name) => labels[name]));
  }

  protected labelsOf(key: string): Labels {
    const values = JSON.parse(key) as string[];
    return Object.fromEntries(this.labelNames.map((n, i) => [n, values[i]]));
  }

  /** The sample lines of this metric, without HELP/TYPE. */
  abstract samples(): string[];

  /** Forget every series (used by collect hooks that rebuild label sets). */
  abstract clear(): void;

  /** HELP, TYPE and samples, each line ending in `\n`. */
  expose(): string {
    const lines = [
      `# HELP ${this.name} ${escapeHelp(this.help)}`,
      `# TYPE ${this.name} ${this.type}`,
      ...this.samples(),
    ];
    return lines.map((line) => line + "\n").join("");
  }
}

/** A value per label set, shared by counters and gauges. */
abstract class ScalarMetric extends Metric {
  readonly #values = new Map<string, number>();

  protected add(labels: Labels | undefined, by: number): void {
    const key = this.key(labels);
    this.#values.set(key, (this.#values.get(key) ?? 0) + by);
  }

  protected put(labels: Labels | undefined, value: number): void {
    this.#values.set(this.key(labels), value);
  }

  /** The current value for `labels` (0 when never touched). */
  get(labels?: Labels): number {
    return this.#values.get(this.key(labels)) ?? 0;
  }

  clear(): void {
    this.#values.clear();
  }

  samples(): string[] {
    // A metric without labels always shows one sample, so a scrape right
    // after start already lists it at 0.
    if (this.labelNames.length === 0 && this.#values.size === 0) {
      return [`${this.name} 0`];
    }
    return [...this.#values].map(([key, value]) =>
      `${this.name}${formatLabels(this.labelsOf(key))} ${formatValue(value)}`
    );
  }
}

/** A number that only goes up (until the process restarts). */
export class Counter extends ScalarMetric {
  /** Always `"counter"`. */
  readonly type = "counter" as const;

  /** Add `by` (default 1, must not be negative) to the series `labels`. */
  inc(labels?: Labels, by = 1): void {
    if (!(by >= 0)) throw new RangeError(`counter ${this.name}: inc by ${by}`);
    this.add(labels, by);
  }

  /**
   * Set the series to `value`, for counters mirrored from a source that
   * already counts (a server's `stats()`); the source must be monotonic.
   */
  set(labels: Labels | undefined, value: number): void {
    if (!(value >= 0)) {
      throw new RangeError(`counter ${this.name}: set to ${value}`);
    }
    this.put(labels, value);
  }
}

/** A number that goes up and down. */
export class Gauge extends ScalarMetric {
  /** Always `"gauge"`. */
  readonly type = "gauge" as const;

  /** Set the series `labels` to `value`. */
  set(labels: Labels | undefined, value: number): void {
    this.put(labels, value);
  }

  /** Add `by` (default 1) to the series `labels`. */
  inc(labels?: Labels, by = 1): void {
    this.add(labels, by);
  }

  /** Subtract `by` (default 1) from the series `labels`. */
  dec(labels?: Labels, by = 1): void {
    this.add(labels, -by);
  }
}

/** Counts of a histogram's observations per bucket, with their sum. */
export interface HistogramSnapshot {
  /** Per-bucket counts (not cumulative), one per bound plus one for `+Inf`. */
  counts: number[];
  /** Sum of all observed values. */
  sum: number;
}

/** Observations sorted into buckets, exposed as cumulative counts. */
export class Histogram extends Metric {
  /** Always `"histogram"`. */
  readonly type = "histogram" as const;
  /** Upper bounds, strictly increasing, without `+Inf`. */
  readonly buckets: readonly number[];
  readonly #series = new Map<string, HistogramSnapshot>();

  constructor(options: HistogramOptions) {
    super(options, ["le"]);
    const buckets = (options.buckets ?? DEFAULT_BUCKETS).filter((b) =>
      b !== Infinity
    );
    if (buckets.length === 0) {
      throw new TypeError(`histogram ${this.name} needs at least one bucket`);
    }
    for (let i = 0; i < buckets.length; i++) {
      if (
        !Number.isFinite(buckets[i]) || (i > 0 && buckets[i] <= buckets[i - 1])
      ) {
        throw new TypeError(
          `histogram ${this.name}: buckets must be finite and increasing`,
        );
      }
    }
    this.buckets = buckets;
  }

  #seriesFor(labels?: Labels): HistogramSnapshot {
    const key = this.key(labels);
    let series = this.#series.get(key);
    if (!series) {
      series = { counts: new Array(this.buckets.length + 1).fill(0), sum: 0 };
      this.#series.set(key, series);
    }
    return series;
  }

  /** Record one observation (NaN is rejected: it would poison the sum). */
  observe(value: number, labels?: Labels): void {
    if (Number.isNaN(value)) {
      throw new RangeError(`histogram ${this.name}: observe NaN`);
    }
    const series = this.#seriesFor(labels);
    let i = this.buckets.findIndex((bound) => value <= bound);
    if (i === -1) i = this.buckets.length;
    series.counts[i]++;
    series.sum += value;
  }

  /** A copy of the series `labels` (all zero when never observed). */
  snapshot(labels?: Labels): HistogramSnapshot {
    const series = this.#series.get(this.key(labels));
    return series
      ? { counts: [...series.counts], sum: series.sum }
      : { counts: new Array(this.buckets.length + 1).fill(0), sum: 0 };
  }

  /**
   * Replace the series `labels` with `snapshot`, for histograms mirrored from
   * a source that keeps its own bucket counts on the same bounds.
   */
  setSnapshot(labels: Labels | undefined, snapshot: HistogramSnapshot): void {
    if (snapshot.counts.length !== this.buckets.length + 1) {
      throw new RangeError(
        `histogram ${this.name}: expected ${
          this.buckets.length + 1
        } bucket counts, got ${snapshot.counts.length}`,
      );
    }
    this.#series.set(this.key(labels), {
      counts: [...snapshot.counts],
      sum: snapshot.sum,
    });
  }

  clear(): void {
    this.#series.clear();
  }

  samples(): string[] {
    const series = [...this.#series];
    if (this.labelNames.length === 0 && series.length === 0) {
      series.push([
        this.key(),
        { counts: new Array(this.buckets.length + 1).fill(0), sum: 0 },
      ]);
    }
    const lines: string[] = [];
    for (const [key, { counts, sum }] of series) {
      const labels = this.labelsOf(key);
      let cumulative = 0;
      const bounds = [...this.buckets.map(formatValue), "+Inf"];
      bounds.forEach((le, i) => {
        cumulative += counts[i];
        lines.push(
          `${this.name}_bucket${formatLabels({ ...labels, le })} ${cumulative}`,
        );
      });
      lines.push(`${this.name}_sum${formatLabels(labels)} ${formatValue(sum)}`);
      lines.push(`${this.name}_count${formatLabels(labels)} ${cumulative}`);
    }
    return lines;
  }
}

/** Called before each render; may set values on the registry's metrics. */
export type CollectHook = () => void | Promise<void>;

/** A set of metrics rendered together. */
export class Registry {
  readonly #metrics = new Map<string, Metric>();
  readonly #hooks: CollectHook[] = [];

  #register<M extends Metric>(metric: M): M {
    if (this.#metrics.has(metric.name)) {
      throw new TypeError(`metric already registered: ${metric.name}`);
    }
    this.#metrics.set(metric.name, metric);
    return metric;
  }

  /** Declare a counter. By convention its name ends in `_total`. */
  counter(options: MetricOptions): Counter {
    return this.#register(new Counter(options));
  }

  /** Declare a gauge. */
  gauge(options: MetricOptions): Gauge {
    return this.#register(new Gauge(options));
  }

  /** Declare a histogram. */
  histogram(options: HistogramOptions): Histogram {
    return this.#register(new Histogram(options));
  }

  /** Run `hook` before every render, in registration order. */
  onCollect(hook: CollectHook): void {
    this.#hooks.push(hook);
  }

  /** Run the collect hooks, then render every metric in declaration order. */
  async render(): Promise<string> {
    for (const hook of this.#hooks) await hook();
    return [...this.#metrics.values()].map((m) => m.expose()).join("");
  }
}

function escapeHelp(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

function escapeLabelValue(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll(
    '"',
    '\\"',
  );
}

function formatLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([name, value]) =>
    `${name}="${escapeLabelValue(value)}"`
  );
  return pairs.length ? `{${pairs.join(",")}}` : "";
}

function formatValue(value: number): string {
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  if (Number.isNaN(value)) return "NaN";
  return String(value);
}
