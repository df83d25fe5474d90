/**
 * Keeps the benchmarks from rotting: runs `bench/run.ts --smoke` (one short
 * round of every load, few connections, against our server, the Deno floor
 * and Node with ws) and checks that the run completes and every load
 * produced numbers. Speeds are not asserted here; `deno task bench` reports
 * them against the floor.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;

interface SmokeResult {
  mode: string;
  servers: string[];
  failures: { load: string; server?: string; message: string }[];
  rounds: Record<string, Record<string, unknown>[]>;
  rows: { load: string; metric: string; values: Record<string, number> }[];
  targets: { name: string; status: string }[];
}

function assertFiniteFields(
  load: string,
  round: Record<string, unknown>,
  fields: string[],
) {
  for (const field of fields) {
    const value = round[field];
    assert.ok(
      typeof value === "number" && Number.isFinite(value),
      `${load} ${
        round.server ?? ""
      } round ${round.round}: ${field} is ${value}`,
    );
  }
}

Deno.test("bench --smoke runs every load against every server", async () => {
  const out = await Deno.makeTempDir({ prefix: "bench_smoke_" });
  try {
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "bench/run.ts", "--smoke", "--out", out],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdin: "null",
    }).output();
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    const printed = decode(run.stdout) + decode(run.stderr);
    assert.ok(run.success, `bench --smoke failed:\n${printed}`);

    const files = [...Deno.readDirSync(out)].map((entry) => entry.name);
    assert.equal(files.length, 1, `expected one result file, got ${files}`);
    assert.match(files[0], /^smoke-.*\.json$/);
    const result: SmokeResult = JSON.parse(
      await Deno.readTextFile(`${out}/${files[0]}`),
    );
    assert.equal(result.mode, "smoke");
    assert.deepEqual(result.failures, []);
    assert.deepEqual(result.servers, ["ours", "floor", "node"]);

    const { echo, fanout, idle, page, ping } = result.rounds;
    for (
      const [load, rounds] of [["echo", echo], ["fanout", fanout], [
        "idle",
        idle,
      ]] as const
    ) {
      assert.deepEqual(
        rounds.map((r) => r.server).sort(),
        ["floor", "node", "ours"],
        `${load}: one round per server`,
      );
    }
    for (const round of echo) {
      assertFiniteFields("echo", round, [
        "throughput",
        "p50",
        "p99",
        "cpuPerMessageUs",
      ]);
      assert.ok((round.throughput as number) > 0, "echo got replies");
      assert.equal(round.invalid, 0, `echo ${round.server}: invalid replies`);
    }
    for (const round of fanout) {
      assertFiniteFields("fanout", round, [
        "expected",
        "delivered",
        "p50",
        "p99",
        "cpuPerDeliveryUs",
      ]);
      assert.ok((round.delivered as number) > 0, "fan-out delivered messages");
      assert.equal(round.duplicates, 0, `fan-out ${round.server}: duplicates`);
    }
    for (const round of idle) {
      assertFiniteFields("idle", round, [
        "answered",
        "rssBeforeKiB",
        "rssAfterKiB",
        "bytesPerConnection",
      ]);
      assert.equal(
        round.answered,
        round.connections,
        "every idle socket works",
      );
    }
    assert.equal(page.length, 1);
    assertFiniteFields("page", page[0], [
      "requests",
      "jsBytes",
      "jsGzipBytes",
      "firstResultMs",
    ]);
    assert.ok((page[0].jsGzipBytes as number) > 0, "the page loads JavaScript");
    assert.equal(ping.length, 1);
    assertFiniteFields("ping", ping[0], ["p50", "p99", "jobsPerSecond"]);

    // Every target is decided (PASS or FAIL), none left without figures.
    assert.ok(result.targets.length >= 8);
    for (const target of result.targets) {
      assert.notEqual(target.status, "n/a", `${target.name} has no figures`);
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
