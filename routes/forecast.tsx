import type { PageProps, RouteConfig } from "$fresh/server.ts";
import { Head } from "$fresh/runtime.ts";
import Forecast from "../islands/Forecast.tsx";
import { realtime } from "../lib/server/instance.ts";

/** Send the app's Content-Security-Policy with this render's nonce. */
export const config: RouteConfig = { csp: true };

/**
 * `/forecast`: a live price series with a Holt forecast and its interval. The
 * island streams the points over `/ws`; the server fits the model.
 */
export default function ForecastPage(_props: PageProps) {
  return (
    <>
      <Head>
        <title>Live forecast</title>
        <link rel="stylesheet" href="/forecast.css" />
      </Head>
      <main class="forecast-page">
        <nav class="crumbs">
          <a href="/">← Home</a>
        </nav>
        <h1 class="forecast-page__title">Live price forecast</h1>
        <p class="forecast-page__intro">
          Each new point updates a forecast by Holt's linear trend method
          (double exponential smoothing), with α and β fitted by least squares
          and a prediction interval from the ETS(A,A,N) variance. Feed it from
          the simulated ticker or paste your own numbers: every point goes to
          the server, which fits the model and sends the forecast back.
        </p>
        <Forecast
          seed={42}
          maxPoints={realtime().config.seriesMaxPoints}
        />
      </main>
    </>
  );
}
