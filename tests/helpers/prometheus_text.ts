/**
 * A strict parser for the Prometheus text exposition format (0.0.4), for
 * tests: it throws on any line a Prometheus server would reject, so a test
 * that parses a scrape also checks its syntax.
 *
 * @example
 * ```ts
 * const families = parsePrometheusText(await res.text());
 * const value = sampleValue(families, "ws_frames_in_total");
 * ```
 * @module
 */

/** One sample line. */
export interface Sample {
  /** The sample's name (for histograms: `<family>_bucket`, `_sum`, `_count`). */
  name: string;
  /** Its labels. */
  labels: Record<string, string>;
  /** Its value. */
  value: number;
}

/** One metric family: a HELP and TYPE and the samples under them. */
export interface Family {
  /** Family name. */
  name: string;
  /** `counter`, `gauge`, `histogram`, `summary` or `untyped`. */
  type: string;
  /** Help text, unescaped. */
  help: string;
  /** Its samples, in order. */
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

/** Parse an exposition; throws `SyntaxError` naming the bad line. */
export function parsePrometheusText(text: string): Map<string, Family> {
  if (text.length > 0 && !text.endsWith("\n")) {
    throw new SyntaxError("exposition must end with a newline");
  }
  const families = new Map<string, Family>();
  const family = (name: string): Family => {
    let f = families.get(name);
    if (!f) {
      f = { name, type: "untyped", help: "", samples: [] };
      families.set(name, f);
    }
    return f;
  };
  const lines = text.split("\n").slice(0, -1);
  lines.forEach((line, index) => {
    const fail = (why: string): never => {
      throw new SyntaxError(`line ${index + 1}: ${why}: ${line}`);
    };
    if (line.trim() === "") return;
    if (line.startsWith("#")) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!m) return; // a plain comment
      const [, keyword, name, rest = ""] = m;
      if (!NAME.test(name) || NAME.exec(name)![0] !== name) {
        fail("bad metric name");
      }
      const f = family(name);
      if (keyword === "HELP") {
        f.help = rest.replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
      } else {
        if (!TYPES.has(rest)) fail("unknown type");
        if (f.samples.length > 0) fail("TYPE after samples");
        f.type = rest;
      }
      return;
    }
    const sample = parseSample(line, fail);
    family(familyOf(sample.name, families)).samples.push(sample);
  });
  for (const f of families.values()) {
    if (f.type === "histogram") checkHistogram(f);
  }
  return families;
}

function familyOf(sample: string, families: Map<string, Family>): string {
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (sample.endsWith(suffix)) {
      const base = sample.slice(0, -suffix.length);
      const t = families.get(base)?.type;
      if (t === "histogram" || t === "summary") return base;
    }
  }
  return sample;
}

function parseSample(line: string, fail: (why: string) => never): Sample {
  const nameMatch = NAME.exec(line) ?? fail("bad sample name");
  const name = nameMatch[0];
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith("{")) {
    rest = rest.slice(1);
    while (!rest.startsWith("}")) {
      const label = LABEL.exec(rest)?.[0] ?? fail("bad label name");
      rest = rest.slice(label.length);
      if (!rest.startsWith('="')) fail('expected ="');
      rest = rest.slice(2);
      let value = "";
      while (true) {
        if (rest.length === 0) fail("unterminated label value");
        const c = rest[0];
        if (c === '"') break;
        if (c === "\\") {
          const e = rest[1];
          if (e === "n") value += "\n";
          else if (e === "\\" || e === '"') value += e;
          else fail("bad escape in label value");
          rest = rest.slice(2);
        } else {
          value += c;
          rest = rest.slice(1);
        }
      }
      rest = rest.slice(1);
      if (label in labels) fail(`duplicate label ${label}`);
      labels[label] = value;
      if (rest.startsWith(",")) rest = rest.slice(1);
      else if (!rest.startsWith("}")) fail("expected , or }");
    }
    rest = rest.slice(1);
  }
  const parts = rest.trim().split(/\s+/);
  if (!rest.startsWith(" ") || parts.length < 1 || parts.length > 2) {
    fail("expected ' value [timestamp]'");
  }
  const value = parseValue(parts[0]) ?? fail("bad value");
  if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) {
    fail("bad timestamp");
  }
  return { name, labels, value };
}

function parseValue(text: string): number | undefined {
  if (text === "+Inf" || text === "Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (text === "NaN") return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

function checkHistogram(f: Family): void {
  const series = new Map<string, Sample[]>();
  for (const s of f.samples) {
    const { le: _le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    series.set(key, [...(series.get(key) ?? []), s]);
  }
  for (const samples of series.values()) {
    const buckets = samples.filter((s) => s.name === `${f.name}_bucket`);
    const count = samples.find((s) => s.name === `${f.name}_count`);
    if (!samples.some((s) => s.name === `${f.name}_sum`) || !count) {
      throw new SyntaxError(`histogram ${f.name}: missing _sum or _count`);
    }
    let previousBound = -Infinity;
    let previousCount = 0;
    for (const b of buckets) {
      const bound = parseValue(b.labels.le ?? "");
      if (bound === undefined || bound <= previousBound) {
        throw new SyntaxError(`histogram ${f.name}: bad or unsorted le`);
      }
      if (b.value < previousCount) {
        throw new SyntaxError(`histogram ${f.name}: buckets not cumulative`);
      }
      previousBound = bound;
      previousCount = b.value;
    }
    if (previousBound !== Infinity || previousCount !== count.value) {
      throw new SyntaxError(
        `histogram ${f.name}: +Inf bucket must equal count`,
      );
    }
  }
}

/**
 * The value of the sample `name` whose labels include `labels`; throws when
 * there is none (a missing metric is a failure, not a zero).
 */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number {
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (
        s.name === name &&
        Object.entries(labels).every(([k, v]) => s.labels[k] === v)
      ) {
        return s.value;
      }
    }
  }
  throw new Error(`no sample ${name}${JSON.stringify(labels)}`);
}
