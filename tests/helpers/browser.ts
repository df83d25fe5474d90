/**
 * Headless Chromium for browser tests, through playwright-core and the
 * Debian `chromium` package.
 *
 * @example
 * ```ts
 * const browser = await launchBrowser();
 * try {
 *   const page = await browser.newPage();
 *   await page.goto(server.url);
 *   await saveScreenshot(page, "home");
 * } finally {
 *   await browser.close();
 * }
 * ```
 * @module
 */
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";

/** Where Debian installs Chromium. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Flags that keep Chromium quiet and offline-friendly on a headless box. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Launch headless Chromium with {@linkcode CHROMIUM_ARGS} and `extraArgs`.
 * Close it with `browser.close()`.
 */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

/** Directory for screenshots (git-ignored). */
export const ARTIFACTS_DIR: string =
  new URL("../artifacts/", import.meta.url).pathname;

/**
 * Save a full-page PNG of `page` as `tests/artifacts/<name>.png` and return
 * its path.
 */
export async function saveScreenshot(
  page: Page,
  name: string,
): Promise<string> {
  await Deno.mkdir(ARTIFACTS_DIR, { recursive: true });
  const path = `${ARTIFACTS_DIR}${name.replace(/[^\w.-]+/g, "_")}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}
