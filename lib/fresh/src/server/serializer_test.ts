import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { signal } from "@preact/signals";
import { IslandPropError, serializeIslandProps } from "./serializer.ts";
import { deserialize } from "../runtime/deserializer.ts";
import { htmlEscapeJsonString } from "./htmlescape.ts";
import { h } from "preact";

Deno.test("plain JSON props stay plain and need no deserializer", () => {
  const out = serializeIslandProps([{
    a: 1,
    b: "x",
    c: [true, null],
    d: undefined,
    n: NaN,
  }], ["x_default"]);
  equal(out.requiresDeserializer, false);
  deepEqual(JSON.parse(out.json).v, [[{
    a: 1,
    b: "x",
    c: [true, null],
    n: null,
  }], []]);
});

Deno.test("a signal shared by two islands stays one signal", () => {
  const count = signal(3);
  const out = serializeIslandProps([{ count }, { value: count }], [
    "a_default",
    "b_default",
  ]);
  ok(out.requiresDeserializer);
  ok(out.hasSignals);
  const [props] = deserialize(out.json, signal) as [
    { count?: typeof count; value?: typeof count }[],
  ];
  equal(props[0].count!.value, 3);
  equal(props[0].count, props[1].value);
  props[0].count!.value = 4;
  equal(props[1].value!.value, 4);
});

Deno.test("shared objects, cycles, bigint and _f keys round-trip", () => {
  const shared = { x: 1 };
  const cyclic: Record<string, unknown> = { name: "c" };
  cyclic.self = cyclic;
  const out = serializeIslandProps(
    [{ a: shared, b: shared, cyclic, big: 12n, tagged: { _f: "mine" } }],
    ["t_default"],
  );
  const [[p]] = deserialize(out.json) as [
    [Record<string, Record<string, unknown>>],
  ];
  equal(p.a, p.b);
  equal(p.cyclic.self, p.cyclic);
  equal(p.big, 12n);
  deepEqual(p.tagged, { _f: "mine" });
});

Deno.test("a function prop fails naming the island and the prop", () => {
  throws(
    () =>
      serializeIslandProps([{ ok: 1 }, { config: { onSave: () => {} } }], [
        "a_default",
        "form_default",
      ]),
    (err: unknown) => {
      ok(err instanceof IslandPropError);
      match(
        err.message,
        /Island "form_default" prop "config.onSave" is a function/,
      );
      return true;
    },
  );
});

Deno.test("JSX props become null and children are skipped", () => {
  const out = serializeIslandProps([{
    icon: h("b", null),
    children: h("i", null),
  }], ["a_default"]);
  deepEqual(JSON.parse(out.json).v, [[{ icon: null }], []]);
});

Deno.test("htmlEscapeJsonString escapes script breakers", () => {
  const json = JSON.stringify({ s: "</script><!-- \u2028\u2029 &" });
  const escaped = htmlEscapeJsonString(json);
  ok(!/[<>\u2028\u2029]/.test(escaped));
  deepEqual(JSON.parse(escaped), { s: "</script><!-- \u2028\u2029 &" });
});
