/**
 * Rooms in real headless Chromium against the real app process: two pages in
 * one room see each other's messages and presence; a bad room name is a 400.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { WAIT_MS } from "./helpers/wait.ts";
import { launchBrowser, saveScreenshot } from "./helpers/browser.ts";
import { buildApp } from "./helpers/build_app.ts";
import { REPO_ROOT, startServer } from "./helpers/server_process.ts";

const WAIT = { timeout: WAIT_MS };

async function enterRoom(
  browser: Browser,
  url: string,
  name: string,
): Promise<Page> {
  const context = await browser.newContext(); // its own localStorage
  const page = await context.newPage();
  await page.goto(url);
  await page.locator("#display-name").fill(name);
  await page.locator("#display-name").press("Enter");
  await page.waitForSelector(
    '[data-testid="connection-state"][data-state="open"]',
    WAIT,
  );
  await page.locator("#composer-text").waitFor(WAIT);
  return page;
}

async function say(page: Page, text: string): Promise<void> {
  await page.locator("#composer-text").fill(text);
  await page.locator("#composer-text").press("Enter");
}

const roomItem = (from: string, message: string) =>
  `[data-testid="room-feed"] li.item-room:has(.item-from:text-is("${from}")):has-text("${message}")`;

Deno.test("rooms: two pages talk, presence is live, names are remembered", async () => {
  const build = await buildApp(REPO_ROOT);
  const server = await startServer({
    env: { ...build.env, PROCESS_DELAY_MS: "50" },
  });
  const browser = await launchBrowser();
  try {
    const room = `test-${crypto.randomUUID().slice(0, 8)}`;
    const url = `${server.url}/rooms/${room}`;
    const ann = await enterRoom(browser, url, "Ann");
    const bob = await enterRoom(browser, url, "Bob");

    for (const page of [ann, bob]) {
      await page.locator('[data-testid="online"]:has-text("2 online")')
        .waitFor(WAIT);
    }

    await say(ann, "hi from ann");
    await say(bob, "hello ann");
    for (const page of [ann, bob]) {
      await page.locator(roomItem("Ann", "HI FROM ANN")).waitFor(WAIT);
      await page.locator(roomItem("Bob", "HELLO ANN")).waitFor(WAIT);
    }
    // each seq once
    const seqs = await ann.locator("[data-seq]").evaluateAll((els) =>
      els.map((el) => el.getAttribute("data-seq"))
    );
    assert.equal(new Set(seqs).size, seqs.length);
    assert.equal(seqs.length, 2);

    const dialogs: string[] = [];
    bob.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await say(ann, "<img src=x onerror=alert(1)>");
    await bob.locator(roomItem("Ann", "<IMG SRC=X ONERROR=ALERT(1)>"))
      .waitFor(WAIT);
    assert.equal(await bob.locator('[data-testid="room-feed"] img').count(), 0);
    assert.deepEqual(dialogs, []);

    await saveScreenshot(ann, "room");

    // Bob leaves: Ann sees one online. Bob's name is remembered on reload.
    await bob.reload();
    await bob.locator(".whoami strong:text-is('Bob')").waitFor(WAIT);
    await bob.locator(roomItem("Ann", "HI FROM ANN")).waitFor(WAIT);
    await bob.context().close();
    await ann.locator('[data-testid="online"]:has-text("1 online")')
      .waitFor(WAIT);
  } finally {
    await browser.close();
    await server.stop();
  }
});

Deno.test("rooms: an invalid room name is a clear 400 page", async () => {
  const build = await buildApp(REPO_ROOT);
  const server = await startServer({ env: build.env });
  try {
    for (const path of ["/rooms/bad%20name", "/rooms/" + "x".repeat(40)]) {
      const res = await fetch(server.url + path);
      const body = await res.text();
      assert.equal(res.status, 400, path);
      assert.match(body, /not a valid room name/);
    }
    const ok = await fetch(server.url + "/rooms?room=lobby", {
      redirect: "manual",
    });
    await ok.body?.cancel();
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get("location"), "/rooms/lobby");
    const bad = await fetch(server.url + "/rooms?room=no%20spaces");
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /not a valid room name/);
  } finally {
    await server.stop();
  }
});
