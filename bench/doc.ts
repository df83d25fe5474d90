/**
 * Writes the measured part of docs/performance.md: the block between the
 * `bench:begin` and `bench:end` markers is replaced on each full run, the
 * prose around it is kept.
 *
 * @module
 */
import { markdownTables, type Row, type Target } from "./report.ts";

const BEGIN =
  "<!-- bench:begin (written by deno task bench; edits here are overwritten) -->";
const END = "<!-- bench:end -->";

/** What {@linkcode writePerformanceDoc} needs from a run. */
export interface RunSummary {
  date: string;
  machine: {
    cpuModel: string;
    cores: number;
    memoryMiB: number;
    kernel: string;
    deno: string;
    v8: string;
    node: string;
    loadAverageAtStart: number[];
  };
  settings: Record<string, number>;
  command: string;
  commands: Record<string, string>;
  failures: { load: string; server?: string; message: string }[];
}

/** The generated block, markers included. */
export function measuredBlock(
  run: RunSummary,
  rows: Row[],
  targets: Target[],
): string {
  const m = run.machine;
  const s = run.settings;
  const lines = [
    BEGIN,
    "",
    `Run of ${run.date} (UTC), \`${run.command}\`, ${s.rounds} rounds of ${s.seconds} s per load; every figure is the median over rounds.`,
    "",
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${
      (m.memoryMiB / 1024).toFixed(1)
    } GiB RAM, Linux ${m.kernel}; Deno ${m.deno} (V8 ${m.v8}), Node ${m.node}. Load average at start: ${
      m.loadAverageAtStart.map((x) => x.toFixed(2)).join(" ")
    }.`,
    "",
    markdownTables(rows, targets),
    "",
    "Commands (the runner starts each of these itself):",
    "",
    "```sh",
    ...Object.entries(run.commands).map(([what, command]) =>
      `# ${what}\n${command}`
    ),
    "```",
  ];
  if (run.failures.length) {
    lines.push("", "Failures in this run:", "");
    for (const f of run.failures) {
      lines.push(
        `- ${f.load}${f.server ? ` (${f.server})` : ""}: ${
          f.message.split("\n")[0]
        }`,
      );
    }
  }
  lines.push("", END);
  return lines.join("\n");
}

/** Replaces the generated block of `path` (or creates the file around it). */
export async function writePerformanceDoc(
  path: string,
  run: RunSummary,
  rows: Row[],
  targets: Target[],
): Promise<void> {
  const block = measuredBlock(run, rows, targets);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    text = `# Performance\n\n${BEGIN}\n${END}\n`;
  }
  const begin = text.indexOf("<!-- bench:begin");
  const end = text.indexOf(END);
  const next = begin >= 0 && end > begin
    ? text.slice(0, begin) + block + text.slice(end + END.length)
    : `${text.trimEnd()}\n\n## Latest run\n\n${block}\n`;
  await Deno.writeTextFile(path, next);
}
