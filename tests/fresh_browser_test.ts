/**
 * The fixture app built AOT and served as a production process with only
 * --allow-net --allow-read --allow-env, driven by headless Chromium.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { buildApp } from "./helpers/build_app.ts";
import { startServer } from "./helpers/server_process.ts";
import { launchBrowser, saveScreenshot } from "./helpers/browser.ts";

const FIXTURE = new URL("./fixture/", import.meta.url).pathname;

Deno.test("[fresh] browser: islands hydrate and react; island-less page loads no script", async () => {
  const build = await buildApp(FIXTURE);
  const server = await startServer({ cwd: FIXTURE, env: build.env });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const scripts: string[] = [];
    page.on("request", (r) => {
      if (r.resourceType() === "script") {
        scripts.push(new URL(r.url()).pathname);
      }
    });

    await page.goto(server.url + "/");
    const buttons = page.locator(".counter button");
    await page.locator(".counter button:not([disabled])").nth(1).waitFor();
    await buttons.first().click();
    await page.locator(".count", { hasText: "4" }).nth(1).waitFor();
    // both counters got one shared signal
    deepEqual(await page.locator(".count").allTextContents(), ["4", "4"]);
    await buttons.nth(1).click();
    await page.locator(".count", { hasText: "5" }).nth(1).waitFor();
    ok(scripts.some((s) => s.endsWith("/island-counter.js")));
    ok(
      !scripts.some((s) => s.endsWith("/island-wrapper.js")),
      "only this page's islands load",
    );
    await saveScreenshot(page, "fresh_fixture_home");

    await page.goto(server.url + "/slot");
    await page.locator(".wrapper button").click();
    await page.locator("#slotted").waitFor({ state: "detached" });
    await page.locator(".wrapper button").click();
    equal(await page.locator("#slotted").innerHTML(), "server <b>content</b>");

    // a keyed island (key "a-->b", encoded in its marker) hydrates too
    await page.goto(server.url + "/keyed");
    await page.locator(".counter button:not([disabled])").click();
    await page.locator(".count", { hasText: "8" }).waitFor();

    const cspViolations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) {
        cspViolations.push(m.text());
      }
    });
    await page.goto(server.url + "/csp");
    await page.locator(".counter button:not([disabled])").click();
    await page.locator(".count", { hasText: "2" }).waitFor();
    deepEqual(cspViolations, []);

    scripts.length = 0;
    await page.goto(server.url + "/about");
    equal(
      await page.locator("#about").textContent(),
      "A page without islands.",
    );
    deepEqual(scripts, []);
    equal(await page.locator("script, link[rel=modulepreload]").count(), 0);
    deepEqual(errors, []);
  } finally {
    await browser.close();
    equal(await server.stop(), 143, server.stdout());
  }
});
