/**
 * The app process (main.ts) at the edges of its life: SIGTERM with a job in
 * flight drains (503 to new upgrades, the job's result, then 1001, exit 0),
 * and a bad setting or an unreachable Redis stops the start with a message.
 */

import assert from "node:assert/strict";
import { buildApp } from "./helpers/build_app.ts";
import { freePort, REPO_ROOT, startServer } from "./helpers/server_process.ts";
import { WsClient } from "./helpers/ws_client.ts";

const UPGRADE = {
  upgrade: "websocket",
  connection: "Upgrade",
  "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
  "sec-websocket-version": "13",
};

/** Runs main.ts to its exit (it should not get as far as serving). */
async function runToExit(
  env: Record<string, string>,
): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", "--allow-env", "main.ts"],
    cwd: REPO_ROOT,
    env: { PORT: String(freePort()), NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    // A safety net against a hang, not a speed assertion.
    signal: AbortSignal.timeout(60_000),
  }).output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    output: decoder.decode(out.stdout) + decoder.decode(out.stderr),
  };
}

Deno.test("SIGTERM with a job in flight: 503 to new upgrades, the result, then 1001, exit 0", async () => {
  const build = await buildApp(REPO_ROOT);
  const server = await startServer({
    env: {
      ...build.env,
      KV_PATH: ":memory:",
      // Long enough that the health probes below always meet the server
      // draining, not already gone, on a busy machine.
      PROCESS_DELAY_MS: "5000",
      SHUTDOWN_TIMEOUT_MS: "20000",
      LOG_LEVEL: "info",
    },
  });
  let client: WsClient | undefined;
  try {
    client = await WsClient.open(`${server.wsUrl}/ws`);
    client.send({ type: "send", id: "last-job", text: "drain me" });
    await client.waitFor((f) => f.type === "ack" && f.id === "last-job");

    server.process.kill("SIGTERM");
    // Wait until the server says it is draining (healthz turns 503).
    while (true) {
      const res = await fetch(`${server.url}/healthz`);
      const report = await res.json();
      if (report.draining) {
        assert.equal(res.status, 503);
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const refused = await fetch(`${server.url}/ws`, { headers: UPGRADE });
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get("retry-after"), "1");
    assert.match(await refused.text(), /shutting down/);

    const result = await client.waitFor(
      (f) => f.type === "result" && f.id === "last-job",
    );
    assert.equal(result.message, "DRAIN ME");
    const closed = await client.closed;
    assert.equal(closed.code, 1001);
    assert.equal(
      client.frames.at(-1)?.id,
      "last-job",
      "the result is the last frame before the close",
    );

    const status = await server.process.status;
    assert.equal(status.code, 0, server.stdout());
    const output = server.stdout();
    assert.match(output, /"event":"signal","signal":"SIGTERM"/);
    assert.match(output, /"event":"shutdown_done"/);
    assert.doesNotMatch(output, /"level":"error"|Uncaught|panicked/);
  } finally {
    await client?.close();
    await server.stop();
  }
});

Deno.test("a malformed setting stops the start with a message naming it (exit 1)", async () => {
  const { code, output } = await runToExit({ MAX_IN_FLIGHT: "lots" });
  assert.equal(code, 1, output);
  assert.match(
    output,
    /Configuration error: MAX_IN_FLIGHT takes a whole number/,
  );
  assert.doesNotMatch(output, /Fresh ready/);
});

Deno.test("an unreachable Redis stops the start with a clear message (non-zero)", async () => {
  const { code, output } = await runToExit({
    REDIS_URL: `redis://127.0.0.1:${freePort()}`,
    LOG_LEVEL: "silent",
  });
  assert.notEqual(code, 0, output);
  assert.match(output, /Cannot start: .*(REDIS_URL|Redis)/i);
  assert.doesNotMatch(output, /Fresh ready/);
});
