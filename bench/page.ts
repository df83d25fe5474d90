/**
 * The home page in headless Chromium: how many requests it makes, how much
 * JavaScript it loads (raw, and gzip computed here over the bytes fetched),
 * and how long a first message takes to come back over the socket (typed
 * into the page's text input, Enter pressed, until the upper-cased text
 * appears in the page). Each round uses a fresh browser context (cold cache).
 * Prints one `result` event per round.
 *
 * `deno run -A bench/page.ts --url http://127.0.0.1:8000/ --rounds 5`
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { Page, Response } from "playwright-core";
import { launchBrowser } from "../tests/helpers/browser.ts";
import { emit } from "./gen.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    rounds: { type: "string", default: "5" },
    input: {
      type: "string",
      default: "form input[type=text], form textarea, form input:not([type])",
    },
    timeout: { type: "string", default: "15" },
  },
});
if (!values.url) throw new Error("--url is required");
const timeoutMs = Number(values.timeout) * 1000;

/** Gzip size of `bytes` at the default level, via CompressionStream. */
async function gzipSize(bytes: Uint8Array): Promise<number> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

function isJavaScript(response: Response): boolean {
  const type = response.headers()["content-type"] ?? "";
  return response.request().resourceType() === "script" ||
    type.includes("javascript");
}

interface Script {
  url: string;
  raw: number;
  gzip: number;
}

async function measure(page: Page, round: number) {
  const requests: string[] = [];
  const scripts: Promise<Script | undefined>[] = [];
  let sockets = 0;
  page.on("request", (request) => requests.push(request.url()));
  page.on("websocket", () => sockets++);
  page.on("response", (response) => {
    if (!isJavaScript(response)) return;
    scripts.push((async () => {
      const body = await response.body().catch(() => undefined);
      if (!body) return undefined;
      const bytes = new Uint8Array(body);
      return {
        url: new URL(response.url()).pathname,
        raw: bytes.length,
        gzip: await gzipSize(bytes),
      };
    })());
  });

  // Lower-case letters only, so the page can only match it once upper-cased.
  const token = `bench${round}${
    Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) =>
      String.fromCharCode(97 + b % 26)).join("")
  }`;
  const expected = token.toUpperCase();
  await page.addInitScript((expected: string) => {
    const marks: { enter?: number; result?: number } = {};
    (globalThis as unknown as { __bench: typeof marks }).__bench = marks;
    addEventListener("keydown", (event) => {
      const key = (event as KeyboardEvent).key;
      if (key === "Enter" && marks.enter === undefined) {
        marks.enter = performance.now();
      }
    }, true);
    const check = () => {
      if (
        marks.result === undefined &&
        document.body?.textContent?.includes(expected)
      ) marks.result = performance.now();
    };
    new MutationObserver(check).observe(document, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  }, expected);

  await page.goto(values.url!, { waitUntil: "load", timeout: timeoutMs });
  const input = page.locator(values.input!).first();
  await input.waitFor({ state: "visible", timeout: timeoutMs });
  await page.waitForFunction(
    (selector) => {
      const element = document.querySelector(selector) as
        | HTMLInputElement
        | null;
      return element !== null && !element.disabled;
    },
    values.input!,
    { timeout: timeoutMs },
  );
  const readyMs = await page.evaluate(() => performance.now());
  await input.fill(token);
  await input.press("Enter");
  await page.waitForFunction(
    () =>
      (globalThis as unknown as { __bench: { result?: number } }).__bench
        .result !== undefined,
    undefined,
    { timeout: timeoutMs, polling: 20 },
  );
  const marks = await page.evaluate(() =>
    (globalThis as unknown as { __bench: { enter: number; result: number } })
      .__bench
  );
  const navigation = await page.evaluate(() => {
    const entry = performance.getEntriesByType("navigation")[0] as
      | PerformanceNavigationTiming
      | undefined;
    return {
      domContentLoadedMs: entry?.domContentLoadedEventEnd ?? NaN,
      loadMs: entry?.loadEventEnd ?? NaN,
    };
  });
  const scriptList = (await Promise.all(scripts)).filter((s): s is Script =>
    s !== undefined
  );
  return {
    requests: requests.length,
    requestUrls: requests.map((url) => new URL(url).pathname),
    webSockets: sockets,
    jsFiles: scriptList.length,
    jsBytes: scriptList.reduce((sum, s) => sum + s.raw, 0),
    jsGzipBytes: scriptList.reduce((sum, s) => sum + s.gzip, 0),
    scripts: scriptList,
    ...navigation,
    inputReadyMs: Math.round(readyMs * 10) / 10,
    firstResultMs: Math.round((marks.result - marks.enter) * 10) / 10,
    loadToResultMs: Math.round(marks.result * 10) / 10,
  };
}

const browser = await launchBrowser();
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      emit("result", { round, ...await measure(page, round) });
    } catch (error) {
      emit("error", { round, message: String(error).slice(0, 2000) });
    } finally {
      await context.close();
    }
  }
} finally {
  await browser.close();
}
Deno.exit(0);
