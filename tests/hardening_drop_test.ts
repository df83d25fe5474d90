/**
 * 1,000 clients vanish at once with jobs in flight: raw TCP sockets closed
 * without a close frame (some in the middle of a frame), while their `upper`
 * jobs wait and their proof-of-work jobs run or queue in the worker pool. The
 * server must notice every one, cancel their work, log no error, and end with
 * zero connections, zero jobs and an idle pool; Deno's sanitizers then check
 * that nothing (timers, sockets, workers) was left behind.
 */

import assert from "node:assert/strict";
import { createLogger } from "../lib/log.ts";
import { RawWebSocket } from "./helpers/raw_ws.ts";
import { startRealtime } from "./helpers/realtime_server.ts";
import { waitUntil } from "./helpers/wait.ts";

const CLIENTS = 1000;
const BATCH = 50;

Deno.test("1,000 clients dropped abruptly with jobs in flight: no errors, everything released", async () => {
  const lines: string[] = [];
  const logger = createLogger({
    level: "info",
    write: (line) => lines.push(line),
  });
  const server = startRealtime({
    // Jobs that would outlive the test unless cancelled.
    PROCESS_DELAY_MS: "600000",
    MAX_CONNECTIONS_PER_IP: String(CLIENTS + 10),
    WORKER_POOL_SIZE: "2",
  }, { logger, powDifficulty: 32 });
  const clients: RawWebSocket[] = [];
  try {
    for (let start = 0; start < CLIENTS; start += BATCH) {
      const batch = await Promise.all(
        Array.from(
          { length: Math.min(BATCH, CLIENTS - start) },
          () => RawWebSocket.connect(server.port),
        ),
      );
      clients.push(...batch);
    }
    assert.equal(server.realtime.stats().connectionsOpen, CLIENTS);

    // Three slow jobs each, plus a proof of work on every tenth client.
    await Promise.all(clients.map(async (client, i) => {
      const ids = ["a", "b", "c"].map((s) => `${i}-${s}`);
      for (const id of ids) {
        await client.sendFrame(JSON.stringify({ type: "send", id, text: id }));
      }
      if (i % 10 === 0) {
        const id = `${i}-pow`;
        ids.push(id);
        await client.sendFrame(
          JSON.stringify({ type: "send", id, text: id, processor: "pow" }),
        );
      }
      const acked = new Set<string>();
      while (acked.size < ids.length) {
        const frame = await client.readFrame();
        assert.ok(frame, "the server closed a client early");
        const parsed = JSON.parse(new TextDecoder().decode(frame.payload));
        assert.equal(parsed.type, "ack", JSON.stringify(parsed));
        acked.add(parsed.id);
      }
    }));
    const busy = server.realtime.stats();
    assert.equal(
      busy.jobsInFlight,
      CLIENTS * 3 + CLIENTS / 10,
      JSON.stringify({ errors: busy.errors, pool: busy.pool }),
    );
    assert.ok(busy.pool.busy + busy.pool.queued > 0, "pow jobs in the pool");

    // Drop everyone: a third mid-frame (a header promising bytes that never
    // come), the rest by closing the TCP connection. No close frames.
    await Promise.all(clients.map(async (client, i) => {
      if (i % 3 === 0) {
        await client.conn.write(new Uint8Array([0x81, 0x80 | 100, 1, 2, 3, 4]));
      }
      client.close();
    }));

    // Wait (a hang guard, not a speed assertion) for the server to notice
    // every drop.
    const after = await waitUntil(
      () => server.realtime.stats(),
      "every drop noticed and its jobs cancelled",
      { done: (s) => s.connectionsOpen === 0 && s.jobsInFlight === 0 },
    );
    await waitUntil(
      () => server.realtime.stats().pool.busy === 0,
      "the worker pool idle",
    );
    assert.equal(server.realtime.stats().pool.queued, 0);
    assert.equal(server.realtime.processors.active(), 0);

    // No client sent a close frame: every close is abnormal (1006).
    assert.deepEqual(after.closes, { 1006: CLIENTS });
    const levels = lines.map((line) => JSON.parse(line).level);
    assert.equal(
      levels.filter((level) => level === "error").length,
      0,
      lines.filter((line) => line.includes('"error"')).slice(0, 5).join("\n"),
    );
    console.log(
      `dropped ${CLIENTS} clients with ${busy.jobsInFlight} jobs in flight ` +
        `(pool: ${busy.pool.busy} running, ${busy.pool.queued} queued); ` +
        `closes by code ${JSON.stringify(after.closes)}; ` +
        `pool abandoned ${after.pool.abandoned}; ` +
        `${levels.filter((l) => l === "warn").length} warnings, 0 errors`,
    );
  } finally {
    for (const client of clients) client.close();
    await server.close();
  }
});
