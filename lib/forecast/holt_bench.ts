/**
 * Cost of fit + forecast for one series, and of the per-point path the server
 * takes (SeriesSessions.addPoints: incremental update, scheduled refits).
 *
 * Run: deno bench lib/forecast/holt_bench.ts
 */
import { fitHolt, forecastHolt, updateHolt } from "./holt.ts";
import { runRefitJob } from "./forecast_job.ts";
import { SeriesSessions } from "./series_session.ts";

function walk(n: number): number[] {
  let state = 12345;
  let price = 100;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    price += 0.02 + (state / 2 ** 32 - 0.5);
    out.push(price);
  }
  return out;
}

const series1k = walk(1_000);
const series10k = walk(10_000);

for (
  const [name, series] of [["1,000", series1k], ["10,000", series10k]] as const
) {
  Deno.bench(`full fit + forecast(10, 95%), ${name} points`, {
    group: `fit ${name}`,
  }, () => {
    forecastHolt(fitHolt(series), 10, 0.95);
  });
  Deno.bench(
    `per point via SeriesSessions (inline refits ≤2,000, Worker refits run inline here), ${name} points`,
    { group: `stream ${name}` },
    () => {
      const sessions = new SeriesSessions();
      sessions.open("s");
      for (const point of series) {
        const result = sessions.addPoints("s", [point]);
        if (result.ok && result.refit) {
          sessions.applyRefit(runRefitJob(result.refit));
        }
      }
    },
  );
}

Deno.bench(
  "main-thread share per point, 10,000 points (inline refits ≤2,000; the one Worker refit handed off stays in flight)",
  { group: "stream 10,000" },
  () => {
    const sessions = new SeriesSessions();
    sessions.open("s");
    for (const point of series10k) {
      sessions.addPoints("s", [point]);
    }
  },
);

const model10k = fitHolt(series10k);
Deno.bench("one point: updateHolt + forecastHolt(10, 95%)", () => {
  forecastHolt(updateHolt(model10k, 101.5), 10, 0.95);
});
