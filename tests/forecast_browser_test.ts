/**
 * /forecast in real headless Chromium against the built app process: pasted
 * points are checked in the page, the simulated ticker at 50 points/s is
 * streamed to the server over /ws (paced under its frame rate, no
 * `rate_limited`), the server's forecasts are drawn at most once per
 * animation frame, and closing the page frees the connection on the server.
 *
 * Frame timings are measured in the page and printed; nothing is asserted
 * on them (the machine is shared), only on behaviour.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { launchBrowser, saveScreenshot } from "./helpers/browser.ts";
import { buildApp } from "./helpers/build_app.ts";
import {
  freePort,
  REPO_ROOT,
  type ServerProcess,
  startServer,
} from "./helpers/server_process.ts";
import {
  type Family,
  parsePrometheusText,
  sampleValue,
} from "./helpers/prometheus_text.ts";
import { WAIT_MS, waitUntil } from "./helpers/wait.ts";

const WAIT = { timeout: WAIT_MS };

async function scrape(url: string): Promise<Map<string, Family>> {
  const res = await fetch(`${url}/metrics`);
  assert.equal(res.status, 200);
  return parsePrometheusText(await res.text());
}

/** Page and metrics probes are round trips: poll them gently. */
const POLL = { intervalMs: 100 };

/** The number of points the chart's summary says it shows. */
async function chartPoints(page: Page): Promise<number> {
  const caption = await page.textContent(".forecast-chart__caption") ?? "";
  const match = caption.match(/^([\d,]+) points?;/);
  return match ? Number(match[1].replaceAll(",", "")) : 0;
}

async function paste(page: Page, text: string): Promise<void> {
  await page.fill("#forecast-paste", text);
  await page.click('form.forecast__paste button[type="submit"]');
}

/** What the page measures while the ticker runs. */
interface FrameReport {
  frames: number;
  p50: number;
  p95: number;
  max: number;
  renders: number;
  maxRendersPerFrame: number;
  longTasks: number;
  longTaskMaxMs: number;
  longTasksSupported: boolean;
}

/**
 * Runs in the page for `ms`: requestAnimationFrame deltas, chart renders
 * (mutation callbacks on the SVG's paths, tagged with the frame they fell
 * in) and long tasks.
 */
function measureInPage(ms: number): Promise<FrameReport> {
  return new Promise((resolve) => {
    const deltas: number[] = [];
    const rendersPerFrame = new Map<number, number>();
    const longTasks: number[] = [];
    let frame = 0;
    let renders = 0;
    let last = 0;
    let observer: PerformanceObserver | undefined;
    const longTasksSupported =
      PerformanceObserver.supportedEntryTypes?.includes("longtask") ?? false;
    if (longTasksSupported) {
      observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) longTasks.push(entry.duration);
      });
      observer.observe({ type: "longtask" });
    }
    const svg = document.querySelector(".forecast-chart__svg")!;
    const mutations = new MutationObserver((records) => {
      const chartChanged = records.some((record) =>
        record.target instanceof Element &&
        record.target.closest(".forecast-chart__svg") !== null
      );
      if (!chartChanged) return;
      renders++;
      rendersPerFrame.set(frame, (rendersPerFrame.get(frame) ?? 0) + 1);
    });
    mutations.observe(svg, {
      subtree: true,
      attributes: true,
      attributeFilter: ["d"],
      childList: true,
    });
    const started = performance.now();
    const onFrame = (now: number) => {
      if (last > 0) deltas.push(now - last);
      last = now;
      frame++;
      if (now - started < ms) {
        requestAnimationFrame(onFrame);
        return;
      }
      mutations.disconnect();
      observer?.disconnect();
      const sorted = [...deltas].sort((a, b) => a - b);
      const at = (q: number) =>
        sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
      resolve({
        frames: deltas.length,
        p50: at(0.5),
        p95: at(0.95),
        max: sorted[sorted.length - 1],
        renders,
        maxRendersPerFrame: Math.max(0, ...rendersPerFrame.values()),
        longTasks: longTasks.length,
        longTaskMaxMs: Math.max(0, ...longTasks),
        longTasksSupported,
      });
    };
    requestAnimationFrame(onFrame);
  });
}

Deno.test("forecast page: server-side forecasts at 50 points/s, drawn once per frame", async (t) => {
  const build = await buildApp(REPO_ROOT);
  const port = freePort();
  let server: ServerProcess = await startServer({ env: build.env, port });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({
      viewport: { width: 1100, height: 900 },
    });
    const sent: number[][] = [];
    const forecasts: { id: string; n: number }[] = [];
    const errors: string[] = [];
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(String(error)));
    page.on("websocket", (ws) => {
      ws.on("framesent", ({ payload }) => {
        const frame = JSON.parse(String(payload));
        if (frame.type === "series_points") sent.push(frame.points);
      });
      ws.on("framereceived", ({ payload }) => {
        const frame = JSON.parse(String(payload));
        if (frame.type === "forecast") {
          forecasts.push({ id: frame.id, n: frame.n });
        }
        if (frame.type === "error") errors.push(frame.code);
      });
    });

    await page.goto(`${server.url}/forecast`);
    await page.waitForSelector('.forecast__badge[data-state="open"]', WAIT);

    await t.step(
      "pasted text that is not finite numbers is refused in the page",
      async () => {
        await paste(page, "1 2 abc");
        await page.waitForSelector(
          '.forecast__error[role="alert"]:has-text("Not finite numbers: abc")',
          WAIT,
        );
        await paste(page, "1e999, 5");
        await page.waitForSelector(
          '.forecast__error:has-text("Not finite numbers: 1e999")',
          WAIT,
        );
        assert.equal(sent.length, 0, "nothing reached the server");
      },
    );

    await t.step(
      "pasted numbers go to the server and come back as a forecast",
      async () => {
        await paste(page, "100, 101.5, 99.8\n102 103.1 104");
        await waitUntil(
          async () => (await chartPoints(page)) === 6,
          "the chart to show 6 points",
          POLL,
        );
        assert.equal(await page.locator(".forecast__error").count(), 0);
        assert.deepEqual(sent.flat(), [100, 101.5, 99.8, 102, 103.1, 104]);
        assert.equal(forecasts.at(-1)?.n, 6);
        assert.ok(
          await page.getAttribute(".forecast-chart__band", "d"),
          "six points give an interval band",
        );
      },
    );

    let report: FrameReport | undefined;
    await t.step(
      "the ticker at 50 points/s: paced frames, coalesced renders",
      async () => {
        await page.click('button:has-text("Reset")');
        await waitUntil(
          async () => (await chartPoints(page)) === 0,
          "the chart to be cleared",
          POLL,
        );
        const framesBefore = sent.length;
        await page.locator('.forecast__field input[type="range"]').fill("50");
        await page.waitForSelector(
          '.forecast__speed:has-text("50 points/s")',
          WAIT,
        );
        await page.click('button:has-text("Start ticker")');
        await waitUntil(
          async () => (await chartPoints(page)) >= 60,
          "60 points on the chart",
          POLL,
        );
        const pointsBefore = await chartPoints(page);
        report = await page.evaluate(measureInPage, 2000);
        const pointsAfter = await chartPoints(page);
        await page.click('button:has-text("Stop ticker")');
        console.log(
          `forecast page, 50 points/s: ${report.frames} animation frames in 2 s; ` +
            `frame time p50 ${report.p50.toFixed(1)} ms, p95 ${
              report.p95.toFixed(1)
            } ms, max ${
              report.max.toFixed(1)
            } ms; chart renders ${report.renders} ` +
            `(max ${report.maxRendersPerFrame} per frame); long tasks ${
              report.longTasksSupported
                ? `${report.longTasks} (longest ${
                  report.longTaskMaxMs.toFixed(0)
                } ms)`
                : "not observable"
            }`,
        );

        assert.ok(pointsAfter > pointsBefore, "the series kept growing");
        assert.ok(report.renders >= 5, `the chart updated (${report.renders})`);
        assert.ok(report.renders <= report.frames + 1);
        assert.equal(report.maxRendersPerFrame, 1, "one render per frame");
        for (
          const path of [
            ".forecast-chart__history",
            ".forecast-chart__forecast",
            ".forecast-chart__band",
          ]
        ) {
          const d = await page.getAttribute(path, "d");
          assert.ok(d && d.startsWith("M"), `${path} is drawn`);
        }

        const tickerFrames = sent.slice(framesBefore);
        const tickerPoints = tickerFrames.reduce((sum, p) => sum + p.length, 0);
        console.log(
          `  ${tickerPoints} points in ${tickerFrames.length} series_points frames ` +
            `(${(tickerPoints / tickerFrames.length).toFixed(1)} per frame)`,
        );
        assert.ok(
          tickerPoints / tickerFrames.length > 1.5,
          "points are coalesced into batches",
        );
        assert.deepEqual(errors, [], "no error frame (rate_limited included)");
        // One forecast per batch, in order, n growing.
        const current = forecasts.filter((f) => f.id === forecasts.at(-1)!.id);
        for (let i = 1; i < current.length; i++) {
          assert.ok(current[i].n > current[i - 1].n);
        }
        await waitUntil(
          async () => {
            const fed = await page.textContent(".forecast__status") ?? "";
            const match = fed.match(/(\d+) points fed, (\d+) forecast/);
            return match !== null && match[1] === match[2];
          },
          "every fed point to be forecast",
          POLL,
        );
        const path = await saveScreenshot(page, "forecast");
        console.log(`  screenshot: ${path}`);
      },
    );

    await t.step(
      "after a server restart the page sends the series again",
      async () => {
        const fed = await chartPoints(page);
        await server.stop();
        await page.waitForSelector(
          '.forecast__badge:not([data-state="open"])',
          WAIT,
        );
        server = await startServer({ env: build.env, port });
        await page.waitForSelector('.forecast__badge[data-state="open"]', WAIT);
        await waitUntil(
          async () => (await chartPoints(page)) === fed,
          `the chart to show the ${fed} points again`,
          POLL,
        );
        const reopened = forecasts.at(-1)!;
        assert.equal(reopened.n, fed);
        assert.notEqual(reopened.id, forecasts[0].id, "a new series id");
      },
    );

    await t.step(
      "an over-long series is refused with a clear error",
      async () => {
        const room = 10_000 - await chartPoints(page);
        await paste(
          page,
          Array.from({ length: room + 1 }, () => "1").join(" "),
        );
        await page.waitForSelector(
          '.forecast__error:has-text("A series holds at most 10000 points")',
          WAIT,
        );
      },
    );

    await t.step(
      "closing the page closes the socket and frees its series",
      async () => {
        const before = await scrape(server.url);
        assert.ok(sampleValue(before, "realtime_connections_open") >= 1);
        await page.close();
        await waitUntil(
          async () => {
            const metrics = await scrape(server.url);
            return sampleValue(metrics, "realtime_connections_open") === 0;
          },
          "the server to see the socket close",
          POLL,
        );
        assert.deepEqual(pageErrors, [], "no uncaught error in the page");
      },
    );
  } finally {
    await browser.close();
    await server.stop();
  }
});
