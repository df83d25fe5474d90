/**
 * ACCESS_TOKEN on the real app: pages redirect to /login, machines and
 * non-GET requests get 401, /ws refuses without the session (and refuses a
 * foreign Origin first), the sign-in form checks origin and token and sets
 * an HttpOnly SameSite=Strict cookie that is not the token, and the token
 * never shows up in the server's output. Then the same in Chromium.
 */

import assert from "node:assert/strict";
import { launchBrowser } from "./helpers/browser.ts";
import { buildApp } from "./helpers/build_app.ts";
import {
  REPO_ROOT,
  type ServerProcess,
  startServer,
} from "./helpers/server_process.ts";
import { WsClient } from "./helpers/ws_client.ts";
import { WAIT_MS } from "./helpers/wait.ts";

const TOKEN = `t0k-${crypto.randomUUID()}`;
const UPGRADE = {
  upgrade: "websocket",
  connection: "Upgrade",
  "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
  "sec-websocket-version": "13",
};

async function get(
  server: ServerProcess,
  path: string,
  init: RequestInit = {},
): Promise<{ res: Response; body: string }> {
  const res = await fetch(server.url + path, { redirect: "manual", ...init });
  return { res, body: await res.text() };
}

function signIn(
  server: ServerProcess,
  token: string,
  next: string,
  origin = server.url,
) {
  return get(server, "/login", {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin,
    },
    body: new URLSearchParams({ token, next }).toString(),
  });
}

Deno.test("ACCESS_TOKEN: gate, sign-in form, session cookie, /ws, no token in logs", async (t) => {
  const build = await buildApp(REPO_ROOT);
  const server = await startServer({
    env: {
      ...build.env,
      KV_PATH: ":memory:",
      LOG_LEVEL: "debug",
      ACCESS_TOKEN: TOKEN,
    },
  });
  const clients: WsClient[] = [];
  try {
    let cookie = "";

    await t.step(
      "without a session: 303 to /login, 401 for machines and POST",
      async () => {
        let { res } = await get(server, "/");
        assert.equal(res.status, 303);
        assert.equal(res.headers.get("location"), "/login");
        ({ res } = await get(server, "/rooms/lobby?x=1"));
        assert.equal(res.status, 303);
        assert.equal(
          res.headers.get("location"),
          "/login?next=%2Frooms%2Flobby%3Fx%3D1",
        );
        ({ res } = await get(server, "/no/such/page"));
        assert.equal(res.status, 303, "unknown paths reveal nothing either");
        for (const path of ["/metrics", "/ws"]) {
          const { res, body } = await get(server, path);
          assert.equal(res.status, 401, path);
          assert.match(body, /sign in at \/login/);
          assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer/);
        }
        ({ res } = await get(server, "/rooms", { method: "POST" }));
        assert.equal(res.status, 401);
        ({ res } = await get(server, "/healthz"));
        assert.equal(res.status, 200, "the health check stays open");
        ({ res } = await get(server, "/styles.css"));
        assert.equal(res.status, 200, "static files stay open");
      },
    );

    await t.step(
      "/ws: 403 for a foreign Origin, 401 without a session",
      async () => {
        let { res, body } = await get(server, "/ws", {
          headers: { ...UPGRADE, origin: "http://evil.example" },
        });
        assert.equal(res.status, 403);
        assert.match(body, /Origin not allowed/);
        ({ res, body } = await get(server, "/ws", { headers: UPGRADE }));
        assert.equal(res.status, 401);
        assert.match(body, /Access token required/);
        ({ res } = await get(server, `/ws?access_token=${TOKEN}`, {
          headers: UPGRADE,
        }));
        assert.equal(res.status, 401, "a token in the URL is not accepted");
        clients.push(
          await WsClient.open(`${server.wsUrl}/ws`, {
            headers: { authorization: `Bearer ${TOKEN}` },
          }),
        );
      },
    );

    await t.step(
      "the sign-in form: page, wrong token, cross-site, right token",
      async () => {
        let { res, body } = await get(server, "/login?next=%2Fabout");
        assert.equal(res.status, 200);
        assert.match(body, /<form method="post" action="\/login"/);
        assert.match(body, /name="next" value="\/about"/);
        assert.match(
          res.headers.get("content-security-policy") ?? "",
          /form-action 'self'/,
        );

        ({ res, body } = await signIn(server, "wrong", "/about"));
        assert.equal(res.status, 401);
        assert.match(body, /That access token is not right/);
        assert.equal(res.headers.get("set-cookie"), null);

        ({ res } = await signIn(
          server,
          TOKEN,
          "/about",
          "http://evil.example",
        ));
        assert.equal(res.status, 403, "a cross-site POST is refused");
        assert.equal(res.headers.get("set-cookie"), null);

        ({ res } = await signIn(server, TOKEN, "//evil.example/x"));
        assert.equal(res.status, 303);
        assert.equal(res.headers.get("location"), "/", "no open redirect");

        ({ res } = await signIn(server, TOKEN, "/rooms/lobby"));
        assert.equal(res.status, 303);
        assert.equal(res.headers.get("location"), "/rooms/lobby");
        const setCookie = res.headers.get("set-cookie") ?? "";
        assert.match(
          setCookie,
          /^access_session=[\w-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict$/,
        );
        assert.ok(!setCookie.includes(TOKEN), "the cookie is not the token");
        cookie = setCookie.split(";")[0];
      },
    );

    await t.step("with the session: pages, metrics and /ws", async () => {
      for (const path of ["/", "/rooms/lobby", "/metrics"]) {
        const { res } = await get(server, path, { headers: { cookie } });
        assert.equal(res.status, 200, path);
      }
      const { res } = await get(server, "/login", { headers: { cookie } });
      assert.equal(res.status, 303, "signed in: /login goes back");
      const client = await WsClient.open(`${server.wsUrl}/ws`, {
        headers: { cookie, origin: server.url },
      });
      clients.push(client);
      client.send({ message: "inside" });
      await client.waitFor((f) => f.message === "INSIDE");
    });

    await t.step("sign-out clears the cookie", async () => {
      const { res } = await get(server, "/logout", {
        method: "POST",
        headers: { cookie, origin: server.url },
      });
      assert.equal(res.status, 303);
      assert.match(
        res.headers.get("set-cookie") ?? "",
        /^access_session=; .*Max-Age=0/,
      );
    });

    await t.step(
      "Chromium: sign in, cookie hidden from JS, island connects",
      async () => {
        const browser = await launchBrowser();
        try {
          const page = await browser.newPage();
          await page.goto(server.url + "/rooms/lobby");
          assert.match(page.url(), /\/login\?next=%2Frooms%2Flobby$/);
          await page.fill("#token", "not it");
          await page.click('button[type="submit"]');
          await page.waitForSelector("#login-error");
          await page.fill("#token", TOKEN);
          await page.click('button[type="submit"]');
          await page.waitForURL(server.url + "/rooms/lobby");
          assert.equal(
            await page.evaluate(() => document.cookie),
            "",
            "the session cookie is HttpOnly",
          );
          const cookies = await page.context().cookies();
          const session = cookies.find((c) => c.name === "access_session");
          assert.ok(session?.httpOnly);
          assert.equal(session?.sameSite, "Strict");
          await page.goto(server.url + "/");
          await page.waitForSelector(
            '[data-testid="connection-state"][data-state="open"]',
            { timeout: WAIT_MS },
          );
        } finally {
          await browser.close();
        }
      },
    );

    await t.step("the token never reaches the server's output", () => {
      const output = server.stdout();
      assert.match(output, /"event":"login_failed"/, "sign-ins are logged");
      assert.ok(!output.includes(TOKEN), "the token is not logged");
    });
  } finally {
    for (const client of clients) await client.close();
    await server.stop();
  }
});
