import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import Forecast, { parseNumbers } from "../islands/Forecast.tsx";
import { ForecastChart } from "../components/ForecastChart.tsx";

Deno.test("forecast island renders on the server without touching browser APIs", () => {
  const html = renderToString(<Forecast seed={3} />);
  assert.match(html, /Start ticker/);
  assert.match(html, /<svg[^>]*role="img"/);
  assert.match(html, /No points yet/);
  assert.match(html, /<textarea id="forecast-paste"/);
});

Deno.test("forecast chart renders history, forecast, band and an accessible summary", () => {
  const html = renderToString(
    <ForecastChart
      history={[100, 101, 103, 102, 104]}
      n={50}
      forecast={[105, 106]}
      lower={[103, 102]}
      upper={[107, 110]}
      level={0.9}
      idPrefix="t"
    />,
  );
  assert.match(html, /class="forecast-chart__history" d="M/);
  assert.match(html, /class="forecast-chart__forecast" d="M/);
  assert.match(html, /class="forecast-chart__band" d="M[^"]*Z"/);
  assert.match(html, /aria-labelledby="t-title t-desc"/);
  assert.match(html, /<desc id="t-desc">50 points; the last is 104\./);
  assert.match(html, /90% interval at step 2: 102 to 110\./);
});

Deno.test("parseNumbers accepts spaces, commas, semicolons and new lines; reports bad tokens", () => {
  assert.deepEqual(parseNumbers("1, 2.5;3\n-4e1  5"), {
    values: [1, 2.5, 3, -40, 5],
    bad: [],
  });
  assert.deepEqual(parseNumbers("1 two NaN Infinity 3"), {
    values: [1, 3],
    bad: ["two", "NaN", "Infinity"],
  });
  assert.deepEqual(parseNumbers("   "), { values: [], bad: [] });
});
