/**
 * Small statistics helpers shared by the load generators and the runner.
 *
 * @module
 */

/** The `q`-quantile (0..1) of `values` by nearest rank; NaN when empty. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const n = values.length;
  if (n === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
  return sorted[rank];
}

/** The median of `values`; NaN when empty. */
export function median(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** p50, p99 and max of latency samples in ms. */
export interface LatencySummary {
  /** How many samples. */
  count: number;
  /** Median, in ms. */
  p50: number;
  /** 99th percentile, in ms. */
  p99: number;
  /** Largest sample, in ms. */
  max: number;
}

/** Summarizes latency samples (ms). */
export function summarize(values: ArrayLike<number>): LatencySummary {
  const n = values.length;
  if (n === 0) return { count: 0, p50: NaN, p99: NaN, max: NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) =>
    sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))];
  return {
    count: n,
    p50: round(at(0.5)),
    p99: round(at(0.99)),
    max: round(sorted[n - 1]),
  };
}

/** Rounds to `digits` decimals (default 3), keeping NaN as is. */
export function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** A growable buffer of float samples, cheaper than pushing to an array. */
export class Samples {
  #data: Float64Array;
  #length = 0;

  /** Starts with room for `capacity` samples. */
  constructor(capacity = 1024) {
    this.#data = new Float64Array(Math.max(16, capacity));
  }

  /** Appends one sample. */
  push(value: number): void {
    if (this.#length === this.#data.length) {
      const bigger = new Float64Array(this.#data.length * 2);
      bigger.set(this.#data);
      this.#data = bigger;
    }
    this.#data[this.#length++] = value;
  }

  /** How many samples so far. */
  get length(): number {
    return this.#length;
  }

  /** The samples, as a view (valid until the next push). */
  view(): Float64Array {
    return this.#data.subarray(0, this.#length);
  }
}

/** A compact summary of many samples that can be merged across processes. */
export interface Sketch {
  /** How many samples it stands for. */
  count: number;
  /** `points[i]` is the ((i + 1) / points.length)-quantile. */
  points: number[];
}

/** Reduces `values` to a {@linkcode Sketch} of `resolution` quantiles. */
export function sketch(values: ArrayLike<number>, resolution = 1000): Sketch {
  const n = values.length;
  if (n === 0) return { count: 0, points: [] };
  const sorted = Float64Array.from(values).sort();
  const points = Array.from({ length: resolution }, (_, i) => {
    const rank = Math.min(n - 1, Math.ceil(((i + 1) / resolution) * n) - 1);
    return round(sorted[Math.max(0, rank)]);
  });
  return { count: n, points };
}

/** The `q`-quantile of the union of the samples behind `sketches`. */
export function mergedQuantile(sketches: Sketch[], q: number): number {
  const weighted: [number, number][] = [];
  let total = 0;
  for (const { count, points } of sketches) {
    if (count === 0 || points.length === 0) continue;
    for (const point of points) weighted.push([point, count / points.length]);
    total += count;
  }
  if (total === 0) return NaN;
  weighted.sort((a, b) => a[0] - b[0]);
  let seen = 0;
  for (const [value, weight] of weighted) {
    seen += weight;
    if (seen >= q * total - 1e-9) return value;
  }
  return weighted[weighted.length - 1][0];
}
