import assert from "node:assert/strict";
import {
  parsePrometheusText,
  sampleValue,
} from "../tests/helpers/prometheus_text.ts";
import { PROMETHEUS_CONTENT_TYPE, Registry } from "./metrics.ts";

Deno.test("content type is the 0.0.4 text format", () => {
  assert.equal(
    PROMETHEUS_CONTENT_TYPE,
    "text/plain; version=0.0.4; charset=utf-8",
  );
});

Deno.test("counter and gauge render HELP, TYPE and samples", async () => {
  const registry = new Registry();
  const frames = registry.counter({
    name: "frames_total",
    help: "Frames seen.",
    labelNames: ["direction"],
  });
  const open = registry.gauge({ name: "open_connections", help: "Open." });
  frames.inc({ direction: "in" });
  frames.inc({ direction: "in" }, 2);
  frames.inc({ direction: "out" });
  open.inc();
  open.inc();
  open.dec();

  const text = await registry.render();
  assert.equal(
    text,
    [
      "# HELP frames_total Frames seen.",
      "# TYPE frames_total counter",
      'frames_total{direction="in"} 3',
      'frames_total{direction="out"} 1',
      "# HELP open_connections Open.",
      "# TYPE open_connections gauge",
      "open_connections 1",
      "",
    ].join("\n"),
  );
  const families = parsePrometheusText(text);
  assert.equal(families.get("frames_total")?.type, "counter");
  assert.equal(sampleValue(families, "frames_total", { direction: "in" }), 3);
});

Deno.test("an unlabelled metric shows 0 before anything happens", async () => {
  const registry = new Registry();
  registry.counter({ name: "reconnects_total", help: "Reconnects." });
  registry.histogram({ name: "latency_seconds", help: "L.", buckets: [1] });
  const families = parsePrometheusText(await registry.render());
  assert.equal(sampleValue(families, "reconnects_total"), 0);
  assert.equal(sampleValue(families, "latency_seconds_count"), 0);
});

Deno.test("histogram buckets are cumulative and end in +Inf", async () => {
  const registry = new Registry();
  const latency = registry.histogram({
    name: "latency_seconds",
    help: "Latency.",
    buckets: [0.01, 0.1, 1],
  });
  for (const v of [0.005, 0.01, 0.05, 0.5, 3]) latency.observe(v);

  const text = await registry.render();
  assert.match(text, /^latency_seconds_bucket\{le="0.01"\} 2$/m);
  assert.match(text, /^latency_seconds_bucket\{le="0.1"\} 3$/m);
  assert.match(text, /^latency_seconds_bucket\{le="1"\} 4$/m);
  assert.match(text, /^latency_seconds_bucket\{le="\+Inf"\} 5$/m);
  assert.match(text, /^latency_seconds_count 5$/m);
  const families = parsePrometheusText(text);
  assert.ok(
    Math.abs(sampleValue(families, "latency_seconds_sum") - 3.565) < 1e-9,
  );
});

Deno.test("histogram snapshot can be mirrored from another source", async () => {
  const registry = new Registry();
  const h = registry.histogram({
    name: "h_seconds",
    help: "H.",
    buckets: [1, 2],
    labelNames: ["processor"],
  });
  h.setSnapshot({ processor: "upper" }, { counts: [1, 0, 2], sum: 9 });
  assert.throws(
    () => h.setSnapshot({ processor: "upper" }, { counts: [1], sum: 0 }),
    RangeError,
  );
  const families = parsePrometheusText(await registry.render());
  assert.equal(
    sampleValue(families, "h_seconds_bucket", { processor: "upper", le: "2" }),
    1,
  );
  assert.equal(
    sampleValue(families, "h_seconds_count", { processor: "upper" }),
    3,
  );
});

Deno.test("label values and help text are escaped", async () => {
  const registry = new Registry();
  const c = registry.counter({
    name: "odd_total",
    help: 'back\\slash and\nnewline "quoted"',
    labelNames: ["v"],
  });
  c.inc({ v: 'a"b\\c\nd' });
  const text = await registry.render();
  assert.match(
    text,
    /^# HELP odd_total back\\\\slash and\\nnewline "quoted"$/m,
  );
  assert.match(text, /^odd_total\{v="a\\"b\\\\c\\nd"\} 1$/m);
  const families = parsePrometheusText(text);
  assert.equal(families.get("odd_total")?.samples[0].labels.v, 'a"b\\c\nd');
  assert.equal(
    families.get("odd_total")?.help,
    'back\\slash and\nnewline "quoted"',
  );
});

Deno.test("collect hooks run before each render", async () => {
  const registry = new Registry();
  const open = registry.gauge({ name: "open", help: "Open." });
  let source = 4;
  registry.onCollect(() => open.set(undefined, source));
  assert.match(await registry.render(), /^open 4$/m);
  source = 7;
  assert.match(await registry.render(), /^open 7$/m);
});

Deno.test("bad declarations and uses are rejected", () => {
  const registry = new Registry();
  assert.throws(() => registry.counter({ name: "9bad", help: "" }), TypeError);
  assert.throws(
    () => registry.gauge({ name: "g", help: "", labelNames: ["__x"] }),
    TypeError,
  );
  assert.throws(
    () => registry.histogram({ name: "h", help: "", labelNames: ["le"] }),
    TypeError,
  );
  assert.throws(
    () => registry.histogram({ name: "h2", help: "", buckets: [2, 1] }),
    TypeError,
  );
  const c = registry.counter({ name: "c_total", help: "", labelNames: ["a"] });
  assert.throws(
    () => registry.counter({ name: "c_total", help: "" }),
    TypeError,
  );
  assert.throws(() => c.inc({ a: "x" }, -1), RangeError);
  assert.throws(() => c.inc(), TypeError);
  assert.throws(() => c.inc({ a: "x", b: "y" }), TypeError);
});

Deno.test("the test parser rejects malformed expositions", () => {
  assert.throws(() => parsePrometheusText("x 1"), SyntaxError);
  assert.throws(() => parsePrometheusText("x{a=1} 1\n"), SyntaxError);
  assert.throws(() => parsePrometheusText("x one\n"), SyntaxError);
  assert.throws(
    () =>
      parsePrometheusText(
        '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
      ),
    SyntaxError,
  );
});
