/**
 * Turns benchmark rounds into medians, ratios to the floor, pass/fail
 * targets, a console table, and the markdown of docs/performance.md.
 *
 * @module
 */
import { median, round } from "./stats.ts";
import type { ServerName } from "./servers.ts";

/** One echo round against one server. */
export interface EchoRound {
  server: ServerName;
  round: number;
  throughput: number;
  p50: number;
  p99: number;
  invalid: number;
  errorFrames: number;
  /** Server CPU time over every reply of the round (warm-up included). */
  cpuPerMessageUs: number;
  serverCpuPct: number;
  generatorCpuPct: number;
}

/** One fan-out round against one server. */
export interface FanoutRound {
  server: ServerName;
  round: number;
  members: number;
  sent: number;
  expected: number;
  delivered: number;
  missing: number;
  duplicates: number;
  errorFrames: number;
  p50: number;
  p99: number;
  serverCpuMs: number;
  cpuPerDeliveryUs: number;
  serverCpuPct: number;
  generatorCpuPct: number;
  settleMs: number;
  /** Members the server closed, by close code (1013: read too slowly). */
  closedByServer?: Record<string, number>;
}

/** One idle-connections round against one (fresh) server. */
export interface IdleRound {
  server: ServerName;
  round: number;
  connections: number;
  open: number;
  answered: number;
  rssBeforeKiB: number;
  rssAfterKiB: number;
  bytesPerConnection: number;
  connectMs: number;
}

/** One home-page round in Chromium (our server only). */
export interface PageRound {
  round: number;
  requests: number;
  webSockets: number;
  jsFiles: number;
  jsBytes: number;
  jsGzipBytes: number;
  domContentLoadedMs: number;
  loadMs: number;
  inputReadyMs: number;
  firstResultMs: number;
  loadToResultMs: number;
  scripts: { url: string; raw: number; gzip: number }[];
}

/** One ping-under-CPU-load round (our server only). */
export interface PingRound {
  round: number;
  pings: number;
  p50: number;
  p99: number;
  max: number;
  lostPongs: number;
  jobsPerSecond: number;
  jobErrors: number;
  serverCpuPct: number;
}

/** Every round of a run, by load. */
export interface Rounds {
  echo: EchoRound[];
  fanout: FanoutRound[];
  idle: IdleRound[];
  page: PageRound[];
  ping: PingRound[];
}

/** A target checked against the run's own figures. */
export interface Target {
  name: string;
  /** What was measured, in words (e.g. "0.97x floor"). */
  measured: string;
  /** The requirement, in words. */
  requirement: string;
  /** PASS, FAIL, or n/a when the figures are missing. */
  status: "PASS" | "FAIL" | "n/a";
}

/** A row of the results table. */
export interface Row {
  load: string;
  metric: string;
  values: Partial<Record<ServerName, number>>;
  unit: string;
  /** ours / floor, when both exist. */
  ratio?: number;
  /** node / floor, when both exist. */
  nodeRatio?: number;
}

type Numeric<T> = { [K in keyof T]: T[K] extends number ? K : never }[keyof T];

function medianOf<T extends object>(
  rounds: T[],
  server: ServerName | undefined,
  key: Numeric<T>,
): number | undefined {
  const values = rounds
    .filter((r) =>
      server === undefined ||
      (r as { server?: ServerName }).server === server
    )
    .map((r) => r[key] as number)
    .filter((v) => Number.isFinite(v));
  return values.length ? round(median(values), 3) : undefined;
}

function row<T extends { server: ServerName }>(
  load: string,
  metric: string,
  unit: string,
  rounds: T[],
  key: Numeric<T>,
): Row {
  const values: Partial<Record<ServerName, number>> = {};
  for (const server of ["ours", "floor", "node"] as const) {
    const value = medianOf(rounds, server, key);
    if (value !== undefined) values[server] = value;
  }
  const ratio = (a?: number, b?: number) =>
    a !== undefined && b !== undefined && b !== 0 ? round(a / b, 2) : undefined;
  return {
    load,
    metric,
    unit,
    values,
    ratio: ratio(values.ours, values.floor),
    nodeRatio: ratio(values.node, values.floor),
  };
}

function oursOnly<T extends object>(
  load: string,
  metric: string,
  unit: string,
  rounds: T[],
  key: Numeric<T>,
): Row {
  const value = medianOf(rounds, undefined, key);
  return {
    load,
    metric,
    unit,
    values: value === undefined ? {} : { ours: value },
  };
}

/** One row of a load: metric name, unit, and the round field it is read from. */
type Spec<T> = [metric: string, unit: string, key: Numeric<T>];

/** Rows comparing the three servers, or none when the load did not run. */
function compared<T extends { server: ServerName }>(
  load: string,
  rounds: T[],
  specs: Spec<T>[],
): Row[] {
  return rounds.length
    ? specs.map(([metric, unit, key]) => row(load, metric, unit, rounds, key))
    : [];
}

/** Rows measured on our server only, or none when the load did not run. */
function oursAlone<T extends object>(
  load: string,
  rounds: T[],
  specs: Spec<T>[],
): Row[] {
  return rounds.length
    ? specs.map(([metric, unit, key]) =>
      oursOnly(load, metric, unit, rounds, key)
    )
    : [];
}

/** The results table: medians over rounds, by server. */
export function tableRows(rounds: Rounds): Row[] {
  return [
    ...compared("echo", rounds.echo, [
      ["throughput", "msg/s", "throughput"],
      ["latency p50", "ms", "p50"],
      ["latency p99", "ms", "p99"],
      ["server CPU per message", "µs", "cpuPerMessageUs"],
      ["server CPU", "% of a core", "serverCpuPct"],
      ["generator CPU", "% of a core", "generatorCpuPct"],
    ]),
    ...compared("fan-out", rounds.fanout, [
      ["deliveries expected", "", "expected"],
      ["deliveries missing", "", "missing"],
      ["delivery p50", "ms", "p50"],
      ["delivery p99", "ms", "p99"],
      ["CPU per delivery", "µs", "cpuPerDeliveryUs"],
      ["server CPU", "% of a core", "serverCpuPct"],
      ["generator CPU", "% of a core", "generatorCpuPct"],
    ]),
    ...compared("idle", rounds.idle, [
      ["connections open", "", "answered"],
      ["memory per connection", "bytes", "bytesPerConnection"],
      ["RSS with all open", "KiB", "rssAfterKiB"],
    ]),
    ...oursAlone("page", rounds.page, [
      ["requests", "", "requests"],
      ["JavaScript", "bytes", "jsBytes"],
      ["JavaScript gzip", "bytes", "jsGzipBytes"],
      ["load event", "ms", "loadMs"],
      ["first result (Enter → shown)", "ms", "firstResultMs"],
      ["navigation → first result", "ms", "loadToResultMs"],
    ]),
    ...oursAlone("ping under CPU load", rounds.ping, [
      ["RTT p50", "ms", "p50"],
      ["RTT p99", "ms", "p99"],
      ["pow jobs done", "/s", "jobsPerSecond"],
    ]),
  ];
}

/** The JavaScript budget of the home page, gzip, in bytes (15 KB, counted as 15,000). */
export const JS_GZIP_BUDGET = 15000;

/** Checks the issue's targets against the floor measured in the same run. */
export function checkTargets(rounds: Rounds): Target[] {
  const targets: Target[] = [];
  const ratioTarget = (
    name: string,
    ours: number | undefined,
    floor: number | undefined,
    pass: (ratio: number) => boolean,
    requirement: string,
  ) => {
    if (ours === undefined || floor === undefined || floor === 0) {
      targets.push({ name, measured: "missing", requirement, status: "n/a" });
      return;
    }
    const ratio = ours / floor;
    targets.push({
      name,
      measured: `${round(ratio, 2)}x floor (${ours} vs ${floor})`,
      requirement,
      status: pass(ratio) ? "PASS" : "FAIL",
    });
  };
  const m = <T extends { server: ServerName }>(
    r: T[],
    server: ServerName,
    key: Numeric<T>,
  ) => medianOf(r, server, key);

  ratioTarget(
    "echo throughput",
    m(rounds.echo, "ours", "throughput"),
    m(rounds.echo, "floor", "throughput"),
    (x) => x >= 0.9,
    ">= 0.9x floor",
  );
  ratioTarget(
    "echo p99",
    m(rounds.echo, "ours", "p99"),
    m(rounds.echo, "floor", "p99"),
    (x) => x <= 1.2,
    "<= 1.2x floor",
  );

  const fanout = rounds.fanout.filter((r) => r.server === "ours");
  if (fanout.length) {
    const missing = fanout.reduce(
      (sum, r) => sum + r.expected - r.delivered,
      0,
    );
    const expected = fanout.reduce((sum, r) => sum + r.expected, 0);
    targets.push({
      name: "fan-out delivers every message",
      measured: `${
        expected - missing
      } of ${expected} over ${fanout.length} rounds`,
      requirement: "all",
      status: missing === 0 ? "PASS" : "FAIL",
    });
    const p99 = m(rounds.fanout, "ours", "p99")!;
    targets.push({
      name: "fan-out delivery p99",
      measured: `${p99} ms`,
      requirement: "< 50 ms",
      status: p99 < 50 ? "PASS" : "FAIL",
    });
  } else {
    targets.push({
      name: "fan-out delivers every message",
      measured: "missing",
      requirement: "all",
      status: "n/a",
    });
  }
  ratioTarget(
    "fan-out CPU per delivery",
    m(rounds.fanout, "ours", "cpuPerDeliveryUs"),
    m(rounds.fanout, "floor", "cpuPerDeliveryUs"),
    (x) => x <= 1.2,
    "<= 1.2x floor",
  );
  ratioTarget(
    "memory per idle connection",
    m(rounds.idle, "ours", "bytesPerConnection"),
    m(rounds.idle, "floor", "bytesPerConnection"),
    (x) => x <= 1.2,
    "<= 1.2x floor",
  );

  const js = medianOf(rounds.page, undefined, "jsGzipBytes");
  targets.push({
    name: "home page JavaScript (gzip)",
    measured: js === undefined ? "missing" : `${js} bytes`,
    requirement: `<= ${JS_GZIP_BUDGET} bytes`,
    status: js === undefined ? "n/a" : js <= JS_GZIP_BUDGET ? "PASS" : "FAIL",
  });
  const ping = medianOf(rounds.ping, undefined, "p99");
  targets.push({
    name: "ping RTT p99, CPU processor saturated",
    measured: ping === undefined ? "missing" : `${ping} ms`,
    requirement: "< 20 ms",
    status: ping === undefined ? "n/a" : ping < 20 ? "PASS" : "FAIL",
  });
  return targets;
}

function format(value: number | undefined): string {
  if (value === undefined) return "–";
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString("en-US");
  if (Math.abs(value) >= 100) return String(round(value, 1));
  return String(round(value, 2));
}

function ratioText(ratio: number | undefined): string {
  return ratio === undefined ? "–" : `${ratio}x`;
}

/** A plain-text table for the console. */
export function consoleTable(rows: Row[], targets: Target[]): string {
  const header = [
    "load",
    "metric",
    "ours",
    "floor",
    "node",
    "ours/floor",
    "node/floor",
  ];
  const body = rows.map((r) => [
    r.load,
    r.unit ? `${r.metric} (${r.unit})` : r.metric,
    format(r.values.ours),
    format(r.values.floor),
    format(r.values.node),
    ratioText(r.ratio),
    ratioText(r.nodeRatio),
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...body.map((cells) => cells[i].length))
  );
  const line = (cells: string[]) =>
    cells.map((c, i) => i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))
      .join("  ");
  const targetWidth = Math.max(...targets.map((t) => t.name.length));
  return [
    line(header),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...body.map(line),
    "",
    "targets:",
    ...targets.map((t) =>
      `  ${t.status.padEnd(4)}  ${
        t.name.padEnd(targetWidth)
      }  ${t.measured}  (needs ${t.requirement})`
    ),
  ].join("\n");
}

/** The results table and targets as markdown. */
export function markdownTables(rows: Row[], targets: Target[]): string {
  const lines = [
    "| load | metric | ours | floor (Deno) | Node + ws | ours / floor | Node / floor |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map((r) =>
      `| ${r.load} | ${r.unit ? `${r.metric} (${r.unit})` : r.metric} | ${
        format(r.values.ours)
      } | ${format(r.values.floor)} | ${format(r.values.node)} | ${
        ratioText(r.ratio)
      } | ${ratioText(r.nodeRatio)} |`
    ),
    "",
    "| target | measured | needs | result |",
    "| --- | --- | --- | --- |",
    ...targets.map((t) =>
      `| ${t.name} | ${t.measured} | ${t.requirement} | **${t.status}** |`
    ),
  ];
  return lines.join("\n");
}
