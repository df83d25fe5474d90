/**
 * Upgrade refusals (400, 403, 401, 503, 429) and graceful shutdown (1001
 * after running jobs finish).
 */

import assert from "node:assert/strict";
import { WsClient } from "./helpers/ws_client.ts";
import { startRealtime } from "./helpers/realtime_server.ts";
import { sessionValue } from "../lib/security/access.ts";
import { waitUntil } from "./helpers/wait.ts";

const UPGRADE = { upgrade: "websocket", connection: "Upgrade" };

async function status(
  url: string,
  headers: Record<string, string>,
): Promise<[number, string]> {
  const response = await fetch(url, { headers });
  return [response.status, await response.text()];
}

Deno.test("a plain GET gets 400 with a plain-text explanation", async () => {
  const server = startRealtime();
  try {
    const response = await fetch(server.httpUrl);
    assert.equal(response.status, 400);
    assert.match(response.headers.get("content-type")!, /^text\/plain/);
    assert.match(await response.text(), /WebSocket/);
    const post = await fetch(server.httpUrl, { method: "POST", body: "x" });
    assert.equal(post.status, 405);
    await post.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("Origin: same host, ALLOWED_ORIGINS and no Origin pass; others get 403", async () => {
  const server = startRealtime({ ALLOWED_ORIGINS: "https://app.example.com" });
  const opened: WsClient[] = [];
  try {
    const [code, body] = await status(server.httpUrl, {
      ...UPGRADE,
      origin: "https://evil.example",
    });
    assert.equal(code, 403);
    assert.match(body, /Origin/);
    await assert.rejects(
      WsClient.open(server.wsUrl, {
        headers: { origin: "http://evil.example" },
      }),
    );
    for (
      const headers of [
        { origin: `http://127.0.0.1:${server.port}` },
        { origin: "https://app.example.com" },
        undefined,
      ]
    ) {
      opened.push(await WsClient.open(server.wsUrl, { headers }));
    }
    assert.equal(server.realtime.stats().refused["403"], 2);
  } finally {
    for (const client of opened) await client.close();
    await server.close();
  }
});

Deno.test("ACCESS_TOKEN: cookie or Bearer header pass; none, wrong or in the URL get 401", async () => {
  const server = startRealtime({ ACCESS_TOKEN: "s3cret" });
  const opened: WsClient[] = [];
  try {
    for (
      const [url, headers] of [
        [server.httpUrl, UPGRADE],
        [server.httpUrl, { ...UPGRADE, authorization: "Bearer wrong" }],
        [server.httpUrl, { ...UPGRADE, cookie: "access_token=s3cre" }],
        // The session cookie holds a value derived from the token, never the token.
        [server.httpUrl, { ...UPGRADE, cookie: "access_session=s3cret" }],
        [`${server.httpUrl}?access_token=s3cret`, UPGRADE],
      ] as const
    ) {
      const [code, body] = await status(url, headers);
      assert.equal(code, 401, `${url} ${JSON.stringify(headers)}`);
      assert.match(body, /token/);
    }
    opened.push(
      await WsClient.open(server.wsUrl, {
        headers: { authorization: "Bearer s3cret" },
      }),
    );
    opened.push(
      await WsClient.open(server.wsUrl, {
        headers: {
          cookie: `theme=dark; access_session=${sessionValue("s3cret")}`,
        },
      }),
    );
    opened[1].send({ message: "in" });
    await opened[1].waitFor((frame) => frame.message === "IN");
  } finally {
    for (const client of opened) await client.close();
    await server.close();
  }
});

Deno.test("MAX_CONNECTIONS: the next upgrade gets 503 until one closes", async () => {
  const server = startRealtime({ MAX_CONNECTIONS: "2" });
  const first = await WsClient.open(server.wsUrl);
  const second = await WsClient.open(server.wsUrl);
  try {
    const [code] = await status(server.httpUrl, UPGRADE);
    assert.equal(code, 503);
    await first.close();
    await waitUntil(
      () => server.realtime.connections.size === 1,
      "the server to release the closed socket",
    );
    const third = await WsClient.open(server.wsUrl);
    await third.close();
  } finally {
    await first.close();
    await second.close();
    await server.close();
  }
});

Deno.test("MAX_CONNECTIONS_PER_IP: 429 for the same address; TRUST_PROXY keys on the proxy's X-Forwarded-For hop", async () => {
  const server = startRealtime({
    MAX_CONNECTIONS_PER_IP: "1",
    TRUST_PROXY: "true",
  });
  const opened: WsClient[] = [];
  try {
    opened.push(
      await WsClient.open(server.wsUrl, {
        headers: { "x-forwarded-for": "10.0.0.1, 203.0.113.7" },
      }),
    );
    const [code, body] = await status(server.httpUrl, {
      ...UPGRADE,
      "x-forwarded-for": "203.0.113.7",
    });
    assert.equal(code, 429);
    assert.match(body, /address/);
    // A forged first hop does not make a new address: the proxy's hop counts.
    const [forged] = await status(server.httpUrl, {
      ...UPGRADE,
      "x-forwarded-for": "192.0.2.99, 203.0.113.7",
    });
    assert.equal(forged, 429);
    opened.push(
      await WsClient.open(server.wsUrl, {
        headers: { "x-forwarded-for": "198.51.100.2" },
      }),
    );
  } finally {
    for (const client of opened) await client.close();
    await server.close();
  }
});

Deno.test("shutdown: running jobs finish, new work is refused, sockets close with 1001", async () => {
  // The job must still be running when the late frame arrives: a delay with
  // room for a busy machine between the ack and the shutdown.
  const server = startRealtime({ PROCESS_DELAY_MS: "2000" });
  const client = await WsClient.open(server.wsUrl);
  try {
    client.send({ type: "send", id: "last", text: "finish me" });
    await client.waitFor((frame) => frame.type === "ack");
    const stopping = server.realtime.shutdown(5000);
    client.send({ type: "send", id: "late", text: "too late" });
    const [code] = await status(server.httpUrl, UPGRADE);
    assert.equal(code, 503);
    await stopping;
    const closed = await client.closed;
    assert.equal(closed.code, 1001);
    assert.equal(
      client.frames.find((frame) => frame.type === "result")?.message,
      "FINISH ME",
    );
    const refused = client.frames.find((frame) => frame.id === "late");
    assert.equal(refused?.code, "shutting_down");
  } finally {
    await client.close();
    await server.close();
  }
});
