/**
 * The home page's live panel in real headless Chromium against the real app
 * process: send and see pending then the result, survive a server restart
 * with a queued message delivered once, and render hostile text as text.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { WAIT_MS } from "./helpers/wait.ts";
import { launchBrowser, saveScreenshot } from "./helpers/browser.ts";
import { buildApp } from "./helpers/build_app.ts";
import {
  freePort,
  REPO_ROOT,
  type ServerProcess,
  startServer,
} from "./helpers/server_process.ts";

const WAIT = { timeout: WAIT_MS };
const stateIs = (state: string) =>
  `[data-testid="connection-state"][data-state="${state}"]`;
const feedItem = (text: string) =>
  `[data-testid="live-feed"] li.item:has-text(${JSON.stringify(text)})`;

/**
 * Runs in the page: from now on, every `data-status` a feed item takes is
 * appended to `globalThis.statuses[<data-id>]` (old values included, so no
 * state is missed however late the observer runs).
 */
function recordStatuses(): void {
  const statuses: Record<string, string[]> = {};
  (globalThis as unknown as { statuses: typeof statuses }).statuses = statuses;
  const note = (el: Element, status: string | null) => {
    const id = el.getAttribute("data-id");
    if (id === null || status === null || !el.matches("li.item")) return;
    const list = statuses[id] ??= [];
    if (list.at(-1) !== status) list.push(status);
  };
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === "attributes") {
        const el = record.target as Element;
        note(el, record.oldValue);
        note(el, el.getAttribute("data-status"));
      }
      for (const node of record.addedNodes) {
        if (!(node instanceof Element)) continue;
        for (const el of [node, ...node.querySelectorAll("li.item")]) {
          note(el, el.getAttribute("data-status"));
        }
      }
    }
  }).observe(document.body, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["data-status"],
    attributeOldValue: true,
  });
}

async function sendMessage(page: Page, text: string): Promise<void> {
  const input = page.locator("#composer-text");
  await input.fill(text);
  await input.press("Enter");
}

Deno.test("home page: send, restart, queue, escape", async (t) => {
  const build = await buildApp(REPO_ROOT);
  const port = freePort();
  // A visible processing time, so the pending state can be observed.
  const env = { ...build.env, PROCESS_DELAY_MS: "800" };
  let server: ServerProcess | undefined = await startServer({ env, port });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const sentTexts: string[] = [];
    page.on("websocket", (ws) => {
      ws.on("framesent", ({ payload }) => {
        const frame = JSON.parse(String(payload));
        if (frame.type === "send") sentTexts.push(frame.text);
      });
    });

    await page.goto(server.url + "/");
    await page.waitForSelector(stateIs("open"), WAIT);

    await t.step(
      "server-rendered page has title, intro and links",
      async () => {
        assert.match(await page.title(), /Realtime/);
        const description = await page.getAttribute(
          'meta[name="description"]',
          "content",
        );
        assert.ok(description && description.length > 40);
        assert.equal(await page.locator('a[href="/forecast"]').count(), 1);
        assert.ok(await page.locator('a[href="/rooms/lobby"]').count() >= 1);
      },
    );

    await t.step("Enter sends; pending first, then the result", async () => {
      // Record every status each feed item takes, in the page, so the
      // pending state is seen however slowly this process polls the page.
      await page.evaluate(recordStatuses);
      await sendMessage(page, "hello world");
      assert.equal(await page.inputValue("#composer-text"), "");
      const done = page.locator(
        `${feedItem("HELLO WORLD")}[data-status="done"]`,
      );
      await done.waitFor(WAIT);
      const id = await done.getAttribute("data-id");
      const statuses = await page.evaluate(
        (id) =>
          (globalThis as unknown as { statuses: Record<string, string[]> })
            .statuses[id!],
        id,
      );
      assert.ok(statuses, `no statuses recorded for ${id}`);
      assert.equal(statuses.at(-1), "done");
      const firstWaiting = statuses.findIndex((status) =>
        status === "pending" || status === "processing"
      );
      assert.ok(
        firstWaiting >= 0 && firstWaiting < statuses.indexOf("done"),
        `pending or processing before done: ${statuses.join(" → ")}`,
      );
      assert.match(
        await page.textContent('[data-testid="live-announcer"]') ?? "",
        /Result: HELLO WORLD/,
      );
    });

    await t.step("empty input is refused with a visible hint", async () => {
      const before = sentTexts.length;
      await page.locator("#composer-text").fill("   ");
      await page.locator("#composer-text").press("Enter");
      await page.locator("#composer-hint").waitFor(WAIT);
      assert.match(
        await page.textContent("#composer-hint") ?? "",
        /empty/i,
      );
      assert.equal(sentTexts.length, before);
    });

    await t.step("hostile text is shown as text and runs nothing", async () => {
      const hostile = "<img src=x onerror=alert(1)>";
      await sendMessage(page, hostile);
      await page.locator(
        `${feedItem("<IMG SRC=X ONERROR=ALERT(1)>")}[data-status="done"]`,
      ).waitFor(WAIT);
      assert.equal(
        await page.locator('[data-testid="live-feed"] img').count(),
        0,
      );
      assert.deepEqual(dialogs, []);
    });

    await saveScreenshot(page, "home");
    await page.emulateMedia({ colorScheme: "dark" });
    await saveScreenshot(page, "home-dark");
    await page.emulateMedia({ colorScheme: "light" });

    await t.step(
      "server restart: reconnecting, queued, delivered once",
      async () => {
        await server!.stop();
        server = undefined;
        // One wait for both: the state cycles reconnecting → connecting, so
        // reading the text after a separate wait could catch the next state.
        await page.locator(stateIs("reconnecting"), {
          hasText: /Reconnecting in \d+ s/,
        }).waitFor(WAIT);
        await sendMessage(page, "sent while away");
        await page.locator(
          `${feedItem("sent while away")}[data-status="queued"]`,
        )
          .waitFor(WAIT);

        server = await startServer({ env, port });
        await page.waitForSelector(stateIs("open"), WAIT);
        await page.locator(`${feedItem("SENT WHILE AWAY")}[data-status="done"]`)
          .waitFor(WAIT);
        assert.equal(
          await page.locator(feedItem("sent while away")).count(),
          1,
        );
        assert.equal(
          sentTexts.filter((text) => text === "sent while away").length,
          1,
        );
      },
    );

    await t.step(
      "Disconnect stops reconnecting; Connect comes back",
      async () => {
        await page.getByRole("button", { name: "Disconnect" }).click();
        await page.waitForSelector(stateIs("closed"), WAIT);
        await page.getByRole("button", { name: "Connect", exact: true })
          .click();
        await page.waitForSelector(stateIs("open"), WAIT);
      },
    );
    assert.deepEqual(dialogs, []);
  } finally {
    await browser.close();
    await server?.stop();
  }
});
