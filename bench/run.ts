/**
 * `deno task bench`: runs every load against our server and, beside it under
 * the same load, the Deno floor and Node with `ws`; rounds are interleaved
 * server by server; prints a table of medians with ratios to the floor and
 * the targets as PASS/FAIL; writes bench/results/<date>.json,
 * bench/results/latest.json and docs/performance.md.
 *
 * Flags:
 * - `--smoke`: one short round of each load with few connections, for the
 *   smoke test; writes only to `--out` (no docs, no latest.json).
 * - `--rounds N`, `--seconds S`: rounds per load and seconds per round.
 * - `--loads echo,fanout,idle,page,ping`, `--servers ours,floor,node`: subsets.
 * - `--out DIR`: where results go (default bench/results).
 * - `--no-docs`: do not rewrite docs/performance.md.
 * - `--ours-env KEY=VALUE` (repeatable): extra settings for our server, for
 *   experiments (e.g. `WORKER_POOL_SIZE=1`).
 *
 * Load generators run in their own processes (never inside a server's), and
 * every process started here is stopped on the way out, failure or not.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type Child, cpuTimeMs, hardFileLimit, ProcessGroup } from "./proc.ts";
import {
  buildOurs,
  REPO_ROOT,
  type RunningServer,
  SERVER_NAMES,
  type ServerName,
  serverRss,
  type ServerSetup,
  startServer,
} from "./servers.ts";
import {
  checkTargets,
  consoleTable,
  type EchoRound,
  type FanoutRound,
  type IdleRound,
  type PageRound,
  type PingRound,
  type Rounds,
  tableRows,
} from "./report.ts";
import { mergedQuantile, round, type Sketch } from "./stats.ts";
import { writePerformanceDoc } from "./doc.ts";

const LOADS = ["echo", "fanout", "idle", "page", "ping"] as const;
type Load = typeof LOADS[number];

const { values: flags } = parseArgs({
  options: {
    smoke: { type: "boolean", default: false },
    rounds: { type: "string" },
    seconds: { type: "string" },
    loads: { type: "string", default: LOADS.join(",") },
    servers: { type: "string", default: SERVER_NAMES.join(",") },
    out: { type: "string" },
    "no-docs": { type: "boolean", default: false },
    "echo-connections": { type: "string" },
    "fanout-members": { type: "string" },
    "fanout-rate": { type: "string" },
    "idle-connections": { type: "string" },
    "ours-env": { type: "string", multiple: true, default: [] },
  },
});

const smoke = flags.smoke!;
const settings = {
  rounds: Number(flags.rounds ?? (smoke ? 1 : 5)),
  seconds: Number(flags.seconds ?? (smoke ? 1 : 3)),
  echoConnections: Number(flags["echo-connections"] ?? (smoke ? 4 : 100)),
  fanoutMembers: Number(flags["fanout-members"] ?? (smoke ? 20 : 1000)),
  fanoutRate: Number(flags["fanout-rate"] ?? (smoke ? 20 : 100)),
  fanoutProcesses: smoke ? 1 : 2,
  idleConnections: Number(flags["idle-connections"] ?? (smoke ? 50 : 10000)),
  idleProcesses: smoke ? 1 : 2,
  pingInFlight: 8,
};
const loads = new Set(flags.loads!.split(",").map((s) => s.trim()) as Load[]);
const servers = flags.servers!.split(",").map((s) => s.trim()) as ServerName[];
for (const load of loads) {
  if (!LOADS.includes(load)) throw new Error(`unknown load "${load}"`);
}
for (const server of servers) {
  if (!SERVER_NAMES.includes(server)) {
    throw new Error(`unknown server "${server}"`);
  }
}
const outDir = flags.out ?? `${REPO_ROOT}/bench/results`;
const writeDocs = !smoke && !flags["no-docs"] && flags.out === undefined;

const group = new ProcessGroup();
const stopOnSignal = (signal: Deno.Signal) => {
  Deno.addSignalListener(signal, async () => {
    console.error(`\n${signal}: stopping every process started by the bench`);
    await group.stopAll();
    Deno.exit(130);
  });
};
stopOnSignal("SIGINT");
stopOnSignal("SIGTERM");

const rounds: Rounds = { echo: [], fanout: [], idle: [], page: [], ping: [] };
const failures: { load: string; server?: string; message: string }[] = [];
const commands = new Map<string, string>();
const cleanups: (() => Promise<void>)[] = [];

function log(message: string) {
  console.error(`[bench] ${message}`);
}

function rotated<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function pct(cpuMs: number, wallMs: number) {
  return round((cpuMs / wallMs) * 100, 1);
}

/** Starts a Deno generator script and remembers its command line. */
function generator(
  load: string,
  script: string,
  args: string[],
  fileLimit = 4096,
): Child {
  const child = group.spawn(
    `${load} generator`,
    Deno.execPath(),
    ["run", "-A", `bench/${script}`, ...args],
    { cwd: REPO_ROOT, fileLimit },
  );
  if (!commands.has(load)) {
    commands.set(load, `deno run -A bench/${script} ${args.join(" ")}`);
  }
  return child;
}

interface GeneratorUsage {
  cpuMs: number;
  wallMs: number;
}

// ------------------------------------------------------------------ loads

async function echoRound(server: RunningServer, index: number) {
  const warmup = smoke ? 0.2 : 0.5;
  const cpuBefore = cpuTimeMs(server.child.pid);
  const start = performance.now();
  const child = generator("echo", "load_echo.ts", [
    "--url",
    server.wsUrl,
    "--connections",
    String(settings.echoConnections),
    "--seconds",
    String(settings.seconds),
    "--warmup",
    String(warmup),
  ]);
  try {
    const result = await child.next<{
      throughput: number;
      totalReplies: number;
      latencyMs: { p50: number; p99: number };
      invalid: number;
      errorFrames: number;
      generator: GeneratorUsage;
    }>("result", (settings.seconds + warmup) * 1000 + 60000);
    const serverCpu = cpuTimeMs(server.child.pid) - cpuBefore;
    const wall = performance.now() - start;
    const entry: EchoRound = {
      server: server.name,
      round: index,
      throughput: result.throughput,
      p50: result.latencyMs.p50,
      p99: result.latencyMs.p99,
      invalid: result.invalid,
      errorFrames: result.errorFrames,
      cpuPerMessageUs: round(
        (serverCpu * 1000) / Math.max(1, result.totalReplies),
        2,
      ),
      // Includes the generator's start-up, so slightly under the busy share.
      serverCpuPct: pct(serverCpu, wall),
      generatorCpuPct: pct(result.generator.cpuMs, result.generator.wallMs),
    };
    rounds.echo.push(entry);
    log(
      `echo  ${
        server.name.padEnd(5)
      } r${index}: ${entry.throughput} msg/s, p50 ${entry.p50} ms, p99 ${entry.p99} ms, ${entry.cpuPerMessageUs} µs CPU/msg, server ${entry.serverCpuPct}% gen ${entry.generatorCpuPct}%`,
    );
  } finally {
    await child.stop();
  }
}

/** Waits until the server is nearly idle (the join storm has passed). */
async function settle(server: RunningServer, maxMs: number): Promise<number> {
  const start = performance.now();
  let quiet = 0;
  let last = cpuTimeMs(server.child.pid);
  while (performance.now() - start < maxMs && quiet < 3) {
    await sleep(100);
    const now = cpuTimeMs(server.child.pid);
    quiet = now - last <= 10 ? quiet + 1 : 0;
    last = now;
  }
  return Math.round(performance.now() - start);
}

async function fanoutRound(server: RunningServer, index: number) {
  const processes = Math.min(settings.fanoutProcesses, settings.fanoutMembers);
  const share = Math.ceil(settings.fanoutMembers / processes);
  const room = `bench-r${index}`;
  const children: Child[] = [];
  try {
    for (let p = 0; p < processes; p++) {
      const first = p * share;
      const members = Math.min(share, settings.fanoutMembers - first);
      const args = [
        "--url",
        server.wsUrl,
        "--room",
        room,
        "--members",
        String(members),
        "--first",
        String(first),
        "--rate",
        String(settings.fanoutRate),
        "--seconds",
        String(settings.seconds),
        "--drain",
        smoke ? "2" : "5",
      ];
      if (p === 0) args.push("--sender");
      children.push(generator("fanout", "load_fanout.ts", args));
    }
    const ready = await Promise.all(
      children.map((child) =>
        child.next<{ notJoined: number; errors: string[] }>("ready", 90000)
      ),
    );
    const notJoined = ready.reduce((sum, r) => sum + r.notJoined, 0);
    if (notJoined > 0) {
      throw new Error(
        `${notJoined} members did not get "joined": ${ready[0].errors}`,
      );
    }
    const settleMs = await settle(server, 20000);
    const cpuBefore = cpuTimeMs(server.child.pid);
    const start = performance.now();
    await Promise.all(children.map((child) => child.send("go")));
    const results = await Promise.all(children.map((child) =>
      child.next<{
        sent: number;
        expected: number;
        delivered: number;
        duplicates: number;
        errorFrames: number;
        errorSamples: string[];
        closeCodes: Record<string, number>;
        latencySketch: Sketch;
        generator: GeneratorUsage;
      }>("result", (settings.seconds + 5) * 1000 + 60000)
    ));
    const serverCpuMs = cpuTimeMs(server.child.pid) - cpuBefore;
    const wallMs = performance.now() - start;
    const sum = (f: (r: typeof results[number]) => number) =>
      results.reduce((total, r) => total + f(r), 0);
    const delivered = sum((r) => r.delivered);
    const sketches = results.map((r) => r.latencySketch);
    const entry: FanoutRound = {
      server: server.name,
      round: index,
      members: settings.fanoutMembers,
      sent: results[0].sent,
      expected: sum((r) => r.expected),
      delivered,
      missing: sum((r) => r.expected) - delivered,
      duplicates: sum((r) => r.duplicates),
      errorFrames: sum((r) => r.errorFrames),
      p50: mergedQuantile(sketches, 0.5),
      p99: mergedQuantile(sketches, 0.99),
      serverCpuMs,
      cpuPerDeliveryUs: round((serverCpuMs * 1000) / Math.max(1, delivered), 3),
      serverCpuPct: pct(serverCpuMs, wallMs),
      generatorCpuPct: pct(
        sum((r) => r.generator.cpuMs),
        Math.max(...results.map((r) => r.generator.wallMs)),
      ),
      settleMs,
    };
    rounds.fanout.push(entry);
    const errors = results.flatMap((r) => r.errorSamples);
    const closed: Record<string, number> = {};
    for (const r of results) {
      for (const [code, n] of Object.entries(r.closeCodes)) {
        closed[code] = (closed[code] ?? 0) + n;
      }
    }
    entry.closedByServer = closed;
    log(
      `fanout ${
        server.name.padEnd(5)
      } r${index}: ${delivered}/${entry.expected} delivered, p50 ${entry.p50} ms, p99 ${entry.p99} ms, ${entry.cpuPerDeliveryUs} µs CPU/delivery, server ${entry.serverCpuPct}% gen ${entry.generatorCpuPct}% (settled in ${settleMs} ms)${
        Object.keys(closed).length
          ? `; closed by the server: ${JSON.stringify(closed)}`
          : ""
      }${errors.length ? `; errors: ${errors[0]}` : ""}`,
    );
  } finally {
    await Promise.all(children.map((child) => child.stop()));
  }
}

async function idleRound(
  name: ServerName,
  setup: ServerSetup,
  index: number,
) {
  // A fresh server per round: memory freed by an earlier round would be
  // reused and make later rounds look cheaper.
  const server = await startServer(group, name, setup);
  commands.set(`server ${name}`, server.command);
  const children: Child[] = [];
  try {
    await sleep(500);
    const rssBeforeKiB = serverRss(server);
    const processes = settings.idleProcesses;
    const share = Math.ceil(settings.idleConnections / processes);
    for (let p = 0; p < processes; p++) {
      const connections = Math.min(share, settings.idleConnections - p * share);
      children.push(generator("idle", "load_idle.ts", [
        "--url",
        server.wsUrl,
        "--connections",
        String(connections),
      ], connections + 256));
    }
    const ready = await Promise.all(children.map((child) =>
      child.next<{
        open: number;
        answered: number;
        failed: number;
        errors: string[];
        connectMs: number;
      }>("ready", 120000)
    ));
    await sleep(smoke ? 200 : 1000);
    const rssAfterKiB = serverRss(server);
    const answered = ready.reduce((sum, r) => sum + r.answered, 0);
    const entry: IdleRound = {
      server: name,
      round: index,
      connections: settings.idleConnections,
      open: ready.reduce((sum, r) => sum + r.open, 0),
      answered,
      rssBeforeKiB,
      rssAfterKiB,
      bytesPerConnection: Math.round(
        ((rssAfterKiB - rssBeforeKiB) * 1024) / Math.max(1, answered),
      ),
      connectMs: Math.max(...ready.map((r) => r.connectMs)),
    };
    rounds.idle.push(entry);
    const failed = ready.flatMap((r) => r.errors);
    log(
      `idle  ${
        name.padEnd(5)
      } r${index}: ${answered}/${entry.connections} open and answered, RSS ${rssBeforeKiB} → ${rssAfterKiB} KiB, ${entry.bytesPerConnection} B/connection${
        failed.length ? `; failures: ${failed[0]}` : ""
      }`,
    );
    await Promise.all(children.map((child) => child.send("close")));
    await Promise.all(
      children.map((child) => child.next("result", 30000).catch(() => {})),
    );
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    await server.child.stop();
  }
}

async function pingRound(server: RunningServer, index: number) {
  const cpuBefore = cpuTimeMs(server.child.pid);
  const start = performance.now();
  const child = generator("ping", "load_ping.ts", [
    "--url",
    server.wsUrl,
    "--processor",
    "pow",
    "--in-flight",
    String(settings.pingInFlight),
    "--seconds",
    String(settings.seconds),
  ]);
  try {
    const result = await child.next<{
      rttMs: { count: number; p50: number; p99: number; max: number };
      lostPongs: number;
      jobsPerSecond: number;
      jobErrors: number;
      errorSamples: string[];
    }>("result", settings.seconds * 1000 + 60000);
    const entry: PingRound = {
      round: index,
      pings: result.rttMs.count,
      p50: result.rttMs.p50,
      p99: result.rttMs.p99,
      max: result.rttMs.max,
      lostPongs: result.lostPongs,
      jobsPerSecond: result.jobsPerSecond,
      jobErrors: result.jobErrors,
      serverCpuPct: pct(
        cpuTimeMs(server.child.pid) - cpuBefore,
        performance.now() - start,
      ),
    };
    rounds.ping.push(entry);
    log(
      `ping  r${index}: RTT p50 ${entry.p50} ms, p99 ${entry.p99} ms, max ${entry.max} ms over ${entry.pings} pings; ${entry.jobsPerSecond} pow jobs/s, server ${entry.serverCpuPct}%${
        result.jobErrors ? `; job errors: ${result.errorSamples[0]}` : ""
      }`,
    );
    // Jobs may take longer than a short round, so none finishing is not an
    // error; jobs answered with an error frame mean the load is not the one
    // intended (unknown processor, refused by a limit).
    if (result.jobErrors > 0) {
      throw new Error(`pow jobs refused: ${result.errorSamples[0]}`);
    }
  } finally {
    await child.stop();
  }
}

async function pageRounds(server: RunningServer) {
  const child = generator("page", "page.ts", [
    "--url",
    server.httpUrl,
    "--rounds",
    String(settings.rounds),
  ]);
  try {
    for (let i = 0; i < settings.rounds; i++) {
      const result = await Promise.race([
        child.next<PageRound>("result", 120000),
        child.next<{ message: string }>("error", 120000).then((e) => {
          throw new Error(e.message);
        }),
      ]);
      rounds.page.push(result);
      log(
        `page  r${i}: ${result.requests} requests, ${result.jsFiles} JS files ${result.jsBytes} B (${result.jsGzipBytes} B gzip), first result ${result.firstResultMs} ms after Enter, ${result.loadToResultMs} ms after navigation`,
      );
    }
  } finally {
    await child.stop();
  }
}

// ------------------------------------------------------------------ driver

/** Runs `body` for the servers of one load, started fresh for it. */
async function withServers(
  load: Load,
  names: ServerName[],
  setup: ServerSetup,
  body: (running: RunningServer[]) => Promise<void>,
) {
  const running: RunningServer[] = [];
  try {
    for (const name of names) {
      const server = await startServer(group, name, setup);
      commands.set(`server ${name}`, server.command);
      running.push(server);
    }
    await body(running);
  } catch (error) {
    failures.push({ load, message: String(error).slice(0, 4000) });
    log(`${load} failed: ${error}`);
  } finally {
    await Promise.all(running.map((server) => server.child.stop()));
  }
}

async function interleaved(
  load: Load,
  running: RunningServer[],
  one: (server: RunningServer, index: number) => Promise<void>,
) {
  for (let r = 0; r < settings.rounds; r++) {
    for (const server of rotated(running, r)) {
      try {
        await one(server, r);
      } catch (error) {
        failures.push({
          load,
          server: server.name,
          message: String(error).slice(0, 4000),
        });
        log(`${load} ${server.name} round ${r} failed: ${error}`);
      }
    }
  }
}

async function main() {
  const startedAt = new Date();
  const fileLimit = Math.min(
    await hardFileLimit(),
    settings.idleConnections + 4096,
  );
  if (fileLimit < settings.idleConnections + 256) {
    log(
      `warning: the open-file hard limit (${fileLimit}) is below ${settings.idleConnections} idle connections`,
    );
  }
  const extraEnv = Object.fromEntries(
    flags["ours-env"]!.map((pair) => {
      const at = pair.indexOf("=");
      if (at <= 0) throw new Error(`--ours-env takes KEY=VALUE; got ${pair}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
  const setup: ServerSetup = { oursEnv: extraEnv, fileLimit };
  let names = servers;
  if (names.includes("ours")) {
    log("building the app (deno task build)");
    try {
      const build = await buildOurs();
      setup.oursEnv = { ...build.env, ...extraEnv };
      cleanups.push(() =>
        Deno.remove(build.env.FRESH_OUT_DIR, { recursive: true })
      );
    } catch (error) {
      failures.push({ load: "build", server: "ours", message: String(error) });
      log(`our server cannot be built, measuring the others: ${error}`);
      names = names.filter((name) => name !== "ours");
    }
  }
  const hasOurs = names.includes("ours");

  if (loads.has("echo")) {
    log("echo: closed loop on the seed contract");
    await withServers(
      "echo",
      names,
      setup,
      (running) => interleaved("echo", running, echoRound),
    );
  }
  if (loads.has("fanout")) {
    log("fan-out: one room");
    await withServers(
      "fanout",
      names,
      setup,
      (running) => interleaved("fanout", running, fanoutRound),
    );
  }
  if (loads.has("idle")) {
    log("idle connections");
    for (let r = 0; r < settings.rounds; r++) {
      for (const name of rotated(names, r)) {
        try {
          await idleRound(name, setup, r);
        } catch (error) {
          failures.push({
            load: "idle",
            server: name,
            message: String(error).slice(0, 4000),
          });
          log(`idle ${name} round ${r} failed: ${error}`);
        }
      }
    }
  }
  if (loads.has("page") && hasOurs) {
    log("home page in Chromium");
    await withServers("page", ["ours"], setup, async ([server]) => {
      await pageRounds(server);
    });
  }
  if (loads.has("ping") && hasOurs) {
    log("ping while the pow processor saturates the worker pool");
    await withServers("ping", ["ours"], setup, async ([server]) => {
      for (let r = 0; r < settings.rounds; r++) {
        try {
          await pingRound(server, r);
        } catch (error) {
          failures.push({
            load: "ping",
            server: "ours",
            message: String(error).slice(0, 4000),
          });
          log(`ping round ${r} failed: ${error}`);
        }
      }
    });
  }

  const rows = tableRows(rounds);
  const targets = checkTargets(rounds);
  console.log(consoleTable(rows, targets));
  if (failures.length) {
    console.log(`\n${failures.length} failure(s):`);
    for (const f of failures) {
      console.log(
        `  ${f.load}${f.server ? ` (${f.server})` : ""}: ${
          f.message.split("\n")[0]
        }`,
      );
    }
  }

  const machine = await machineInfo();
  const result = {
    date: startedAt.toISOString(),
    mode: smoke ? "smoke" : "full",
    machine,
    settings,
    loads: [...loads],
    servers: names,
    command: `deno task bench ${Deno.args.join(" ")}`.trim(),
    commands: Object.fromEntries(commands),
    rows,
    targets,
    rounds,
    failures,
  };
  await Deno.mkdir(outDir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/:/g, "-").replace(/\..*/, "");
  const json = JSON.stringify(result, null, 2) + "\n";
  const file = `${outDir}/${smoke ? "smoke-" : ""}${stamp}.json`;
  await Deno.writeTextFile(file, json);
  log(`wrote ${file}`);
  if (!smoke) {
    await Deno.writeTextFile(`${outDir}/latest.json`, json);
    log(`wrote ${outDir}/latest.json`);
  }
  if (writeDocs) {
    const doc = `${REPO_ROOT}/docs/performance.md`;
    await writePerformanceDoc(doc, result, rows, targets);
    log(`wrote ${doc}`);
  }
  return failures.length === 0 ? 0 : 1;
}

async function machineInfo() {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo");
  const meminfo = await Deno.readTextFile("/proc/meminfo");
  const nodeVersion = await new Deno.Command("node", { args: ["--version"] })
    .output()
    .then((out) => new TextDecoder().decode(out.stdout).trim())
    .catch(() => "not found");
  return {
    cpuModel: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? "unknown",
    cores: navigator.hardwareConcurrency,
    memoryMiB: Math.round(
      Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0) / 1024,
    ),
    kernel: Deno.osRelease(),
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    node: nodeVersion,
    loadAverageAtStart: Deno.loadavg(),
  };
}

let code = 1;
try {
  code = await main();
} finally {
  await group.stopAll();
  for (const cleanup of cleanups) await cleanup().catch(() => {});
}
Deno.exit(code);
