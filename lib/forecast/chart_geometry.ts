/**
 * Pure geometry for the forecast chart: scales, "nice" axis ticks, SVG path
 * strings and a plain-language summary. No DOM, so it renders on the server
 * and in islands alike and is unit-tested directly.
 *
 * @module
 */

/** Margins around the plot area, in SVG user units. */
export interface Margins {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** What the chart shows. */
export interface ChartInput {
  /** The visible tail of the series. */
  history: readonly number[];
  /** 1-based position in the whole series of `history[0]`. */
  firstIndex: number;
  /** Point forecasts for the steps after the last history point. */
  forecast: readonly number[];
  /** Interval bounds, same length as `forecast`, or empty for no interval. */
  lower: readonly number[];
  upper: readonly number[];
  width: number;
  height: number;
  margins?: Margins;
}

/** One axis tick. */
export interface Tick {
  value: number;
  /** Position along the axis in SVG user units. */
  position: number;
  label: string;
}

/** Everything the chart component draws. */
export interface ChartGeometry {
  width: number;
  height: number;
  plot: { x: number; y: number; width: number; height: number };
  historyPath: string;
  forecastPath: string;
  bandPath: string;
  xTicks: Tick[];
  yTicks: Tick[];
  /** The last observed point, in SVG coordinates, when there is one. */
  last?: { x: number; y: number };
}

/** Default margins: room for y labels on the left and x labels below. */
export const DEFAULT_MARGINS: Margins = {
  top: 12,
  right: 16,
  bottom: 28,
  left: 56,
};

/**
 * A linear map from `domain` to `range`. A degenerate domain (both ends equal)
 * maps everything to the middle of the range.
 */
export function linearScale(
  domain: readonly [number, number],
  range: readonly [number, number],
): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d0 === d1) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (value) => r0 + (value - d0) * k;
}

/**
 * A step of 1, 2 or 5 times a power of ten that splits `span` into at most
 * `maxTicks` intervals (Heckbert's "nice numbers", Graphics Gems, 1990).
 */
export function niceStep(span: number, maxTicks: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, maxTicks);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 5, 10]) {
    if (factor * magnitude >= raw) return factor * magnitude;
  }
  return 10 * magnitude;
}

/**
 * Tick values: multiples of a nice step covering [min, max] (the first at or
 * below min, the last at or above max). A zero-width range gets ticks around it.
 */
export function niceTicks(min: number, max: number, maxTicks = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.05;
    min -= pad;
    max += pad;
  }
  const step = niceStep(max - min, maxTicks);
  const start = Math.floor(min / step + 1e-9);
  const end = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  for (let i = start; i <= end; i++) ticks.push(cleanFloat(i * step));
  return ticks;
}

function cleanFloat(value: number): number {
  return Number.parseFloat(value.toPrecision(12));
}

/** Decimals needed to show multiples of `step` exactly (0 for steps ≥ 1). */
export function decimalsFor(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) return 0;
  for (let d = 0; d < 10; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, scaled)) {
      return d;
    }
  }
  return 10;
}

/** A tick label with just enough decimals for its step, e.g. 0.25 → "0.25". */
export function formatTick(value: number, step: number): string {
  const text = value.toFixed(decimalsFor(step));
  return text === "-0" || /^-0\.0*$/.test(text) ? text.slice(1) : text;
}

function round2(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** An SVG polyline path "Mx y Lx y ..." (coordinates rounded to 0.01). */
export function linePath(xs: readonly number[], ys: readonly number[]): string {
  const n = Math.min(xs.length, ys.length);
  let d = "";
  for (let i = 0; i < n; i++) {
    d += `${i === 0 ? "M" : "L"}${round2(xs[i])} ${round2(ys[i])}`;
  }
  return d;
}

/**
 * A closed band: along `upper` left to right, back along `lower` right to
 * left. Empty when there is nothing to enclose.
 */
export function bandPath(
  xs: readonly number[],
  lower: readonly number[],
  upper: readonly number[],
): string {
  const n = Math.min(xs.length, lower.length, upper.length);
  if (n === 0) return "";
  const top = linePath(xs.slice(0, n), upper.slice(0, n));
  let back = "";
  for (let i = n - 1; i >= 0; i--) {
    back += `L${round2(xs[i])} ${round2(lower[i])}`;
  }
  return `${top}${back}Z`;
}

/** Computes scales, ticks and paths for a chart of `input.width × input.height`. */
export function computeChart(input: ChartInput): ChartGeometry {
  const margins = input.margins ?? DEFAULT_MARGINS;
  const plot = {
    x: margins.left,
    y: margins.top,
    width: Math.max(1, input.width - margins.left - margins.right),
    height: Math.max(1, input.height - margins.top - margins.bottom),
  };
  const empty: ChartGeometry = {
    width: input.width,
    height: input.height,
    plot,
    historyPath: "",
    forecastPath: "",
    bandPath: "",
    xTicks: [],
    yTicks: [],
  };
  const n = input.history.length;
  if (n === 0) return empty;

  const hasBand = input.lower.length === input.forecast.length &&
    input.upper.length === input.forecast.length;
  const values = [
    ...input.history,
    ...input.forecast,
    ...(hasBand ? [...input.lower, ...input.upper] : []),
  ].filter(Number.isFinite);
  const yTickValues = niceTicks(Math.min(...values), Math.max(...values), 5);
  const yStep = yTickValues.length > 1 ? yTickValues[1] - yTickValues[0] : 1;
  const yDomain: [number, number] = [
    yTickValues[0],
    yTickValues[yTickValues.length - 1],
  ];
  const lastIndex = input.firstIndex + n - 1;
  const xDomain: [number, number] = [
    input.firstIndex,
    Math.max(lastIndex + input.forecast.length, input.firstIndex + 1),
  ];
  const x = linearScale(xDomain, [plot.x, plot.x + plot.width]);
  const y = linearScale(yDomain, [plot.y + plot.height, plot.y]);

  const historyXs = input.history.map((_, i) => x(input.firstIndex + i));
  const historyYs = input.history.map(y);
  const last = { x: historyXs[n - 1], y: historyYs[n - 1] };
  // The forecast and its band start at the last observation so they join the line.
  const futureXs = [
    last.x,
    ...input.forecast.map((_, h) => x(lastIndex + h + 1)),
  ];
  const lastValue = input.history[n - 1];
  const forecastPath = input.forecast.length === 0
    ? ""
    : linePath(futureXs, [last.y, ...input.forecast.map(y)]);
  const band = hasBand && input.forecast.length > 0
    ? bandPath(
      futureXs,
      [lastValue, ...input.lower].map(y),
      [lastValue, ...input.upper].map(y),
    )
    : "";

  const xStep = niceStep(xDomain[1] - xDomain[0], 6);
  const xTicks: Tick[] = [];
  for (
    let value = Math.ceil(xDomain[0] / xStep) * xStep;
    value <= xDomain[1];
    value += xStep
  ) {
    xTicks.push({ value, position: x(value), label: formatTick(value, xStep) });
  }
  const yTicks = yTickValues.map((value) => ({
    value,
    position: y(value),
    label: formatTick(value, yStep),
  }));

  return {
    ...empty,
    historyPath: linePath(historyXs, historyYs),
    forecastPath,
    bandPath: band,
    xTicks,
    yTicks,
    last,
  };
}

/** What {@link describeChart} summarises. */
export interface SummaryInput {
  /** Points in the whole series. */
  n: number;
  /** The last point, if any. */
  last?: number;
  forecast: readonly number[];
  lower: readonly number[];
  upper: readonly number[];
  /** Interval level, e.g. 0.95. */
  level: number;
}

function fmt(value: number): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

/** A one-paragraph text equivalent of the chart, for screen readers. */
export function describeChart(input: SummaryInput): string {
  if (input.n === 0 || input.last === undefined) {
    return "No points yet. Start the ticker or add numbers to see a forecast.";
  }
  const parts = [
    `${input.n} point${input.n === 1 ? "" : "s"}; the last is ${
      fmt(input.last)
    }.`,
  ];
  const h = input.forecast.length;
  if (h > 0) {
    parts.push(
      `Forecast for the next ${h} step${h === 1 ? "" : "s"}: ${
        fmt(input.forecast[0])
      } then ${fmt(input.forecast[h - 1])} at step ${h}.`,
    );
    if (input.lower.length === h && input.upper.length === h) {
      parts.push(
        `${Math.round(input.level * 100)}% interval at step ${h}: ${
          fmt(input.lower[h - 1])
        } to ${fmt(input.upper[h - 1])}.`,
      );
    } else {
      parts.push("No interval yet: too few points.");
    }
  }
  return parts.join(" ");
}
