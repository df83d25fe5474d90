import { computeChart, describeChart } from "../lib/forecast/chart_geometry.ts";

/** Props of {@link ForecastChart}. */
export interface ForecastChartProps {
  /** The visible tail of the series. */
  history: readonly number[];
  /** Points in the whole series (the tail's last point is number `n`). */
  n: number;
  forecast: readonly number[];
  lower: readonly number[];
  upper: readonly number[];
  /** Interval level, e.g. 0.95. */
  level: number;
  /** Makes the SVG's title/desc ids unique on the page. */
  idPrefix?: string;
  width?: number;
  height?: number;
}

/**
 * A light SVG chart: the series as a line, the forecast as a dashed line and
 * its prediction interval as a band, with nice axis ticks. The same summary
 * is the SVG's <desc> and a visible caption, so screen readers get the facts.
 */
export function ForecastChart(props: ForecastChartProps) {
  const width = props.width ?? 720;
  const height = props.height ?? 320;
  const prefix = props.idPrefix ?? "forecast-chart";
  const geometry = computeChart({
    history: props.history,
    firstIndex: props.n - props.history.length + 1,
    forecast: props.forecast,
    lower: props.lower,
    upper: props.upper,
    width,
    height,
  });
  const summary = describeChart({
    n: props.n,
    last: props.history.length > 0
      ? props.history[props.history.length - 1]
      : undefined,
    forecast: props.forecast,
    lower: props.lower,
    upper: props.upper,
    level: props.level,
  });
  const { plot } = geometry;
  return (
    <figure class="forecast-chart">
      <svg
        class="forecast-chart__svg"
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-labelledby={`${prefix}-title ${prefix}-desc`}
      >
        <title id={`${prefix}-title`}>Price series and forecast</title>
        <desc id={`${prefix}-desc`}>{summary}</desc>
        <g class="forecast-chart__grid" aria-hidden="true">
          {geometry.yTicks.map((tick) => (
            <line
              key={`y${tick.value}`}
              x1={plot.x}
              x2={plot.x + plot.width}
              y1={tick.position}
              y2={tick.position}
            />
          ))}
        </g>
        <g class="forecast-chart__axis" aria-hidden="true">
          {geometry.yTicks.map((tick) => (
            <text
              key={`yl${tick.value}`}
              x={plot.x - 6}
              y={tick.position}
              text-anchor="end"
              dominant-baseline="middle"
            >
              {tick.label}
            </text>
          ))}
          {geometry.xTicks.map((tick) => (
            <text
              key={`xl${tick.value}`}
              x={tick.position}
              y={plot.y + plot.height + 18}
              text-anchor="middle"
            >
              {tick.label}
            </text>
          ))}
          <line
            x1={plot.x}
            x2={plot.x + plot.width}
            y1={plot.y + plot.height}
            y2={plot.y + plot.height}
          />
        </g>
        {geometry.bandPath && (
          <path class="forecast-chart__band" d={geometry.bandPath} />
        )}
        {geometry.historyPath && (
          <path class="forecast-chart__history" d={geometry.historyPath} />
        )}
        {geometry.forecastPath && (
          <path class="forecast-chart__forecast" d={geometry.forecastPath} />
        )}
        {geometry.last && (
          <circle
            class="forecast-chart__last"
            cx={geometry.last.x}
            cy={geometry.last.y}
            r="3"
          />
        )}
      </svg>
      <figcaption class="forecast-chart__caption">{summary}</figcaption>
    </figure>
  );
}

export default ForecastChart;
