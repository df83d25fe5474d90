/**
 * Island props to JSON in Fresh's `{v, r}` shape: plain JSON values, tagged
 * values (`{_f:"s"}` signal, `{_f:"b"}` bigint, `{_f:"l"}` an object that has
 * its own `_f` key) and shared references (`r`: `[target, ...refs]` paths),
 * so a signal given to two islands stays one signal. Functions are an error.
 * The browser side is `runtime/deserializer.ts`.
 * @module
 */

/** Output of {@linkcode serializeIslandProps}. */
export interface SerializedState {
  /** JSON text of `{v: [islandProps[], []], r?}`. */
  json: string;
  /** The client needs the deserializer (tags or references present). */
  requiresDeserializer: boolean;
  /** The client needs `signal()` from @preact/signals. */
  hasSignals: boolean;
}

type Path = (string | number)[];

interface SignalLike {
  peek(): unknown;
  value: unknown;
}

function isSignal(x: object): x is SignalLike {
  return typeof (x as SignalLike).peek === "function" && "value" in x;
}

function isVNode(x: object): boolean {
  // preact vnodes have `constructor: undefined` to mark them as safe
  return "type" in x && "props" in x &&
    (x as { constructor?: unknown }).constructor === undefined;
}

/** Thrown when a prop cannot be sent to the browser. */
export class IslandPropError extends Error {
  /** Create the error for island `islandId`, prop path `propPath`. */
  constructor(
    readonly islandId: string,
    readonly propPath: string,
    reason: string,
  ) {
    super(
      `Island "${islandId}" prop "${propPath}" ${reason}: island props must be JSON values or signals.`,
    );
    this.name = "IslandPropError";
  }
}

/**
 * Serialize the props of the islands of one page. `islandIds[i]` names the
 * island of `props[i]` in error messages.
 */
export function serializeIslandProps(
  props: unknown[],
  islandIds: string[],
): SerializedState {
  const seen = new Map<object, Path>();
  const refs: Path[][] = [];
  const refIndex = new Map<object, Path[]>();
  let tagged = false;
  let hasSignals = false;

  function fail(path: Path, reason: string): never {
    const index = path[2] as number;
    const prop = path.slice(3).join(".");
    throw new IslandPropError(
      islandIds[index] ?? "?",
      prop || "(props)",
      reason,
    );
  }

  function walk(value: unknown, path: Path): unknown {
    switch (typeof value) {
      case "function":
        return fail(path, "is a function, which cannot be serialized");
      case "symbol":
        return fail(path, "is a symbol, which cannot be serialized");
      case "bigint":
        tagged = true;
        return { _f: "b", d: value.toString() };
      case "undefined":
        return undefined;
      case "object":
        break;
      default:
        return value;
    }
    if (value === null) return null;
    const first = seen.get(value);
    if (first) {
      let group = refIndex.get(value);
      if (!group) {
        group = [first];
        refIndex.set(value, group);
        refs.push(group);
      }
      group.push(path);
      return 0;
    }
    // signals are checked first: @preact/signals makes them look like vnodes
    if (!isSignal(value) && isVNode(value)) return null;
    seen.set(value, path);
    if (isSignal(value)) {
      tagged = true;
      hasSignals = true;
      return { _f: "s", v: walk(value.peek(), [...path, "v"]) };
    }
    if (value instanceof Date) return value.toJSON();
    if (Array.isArray(value)) {
      return value.map((item, i) => {
        const out = walk(item, [...path, i]);
        return out === undefined ? null : out;
      });
    }
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") return walk(toJSON.call(value), path);
    const out: Record<string, unknown> = {};
    const hasOwnTag = Object.hasOwn(value, "_f");
    const base = hasOwnTag ? [...path, "v"] : path;
    for (const [k, v] of Object.entries(value)) {
      if (path.length === 3 && k === "children") continue; // slots come from the DOM
      const item = walk(v, [...base, k]);
      if (item !== undefined) out[k] = item;
    }
    if (hasOwnTag) {
      tagged = true;
      return { _f: "l", v: out };
    }
    return out;
  }

  const v = [walk(props, ["v", 0]), []];
  // paths are written relative to `v`
  const r = refs.map((group) => group.map((p) => p.slice(1)));
  const envelope: Record<string, unknown> = { v };
  if (r.length) envelope.r = r;
  return {
    json: JSON.stringify(envelope),
    requiresDeserializer: tagged || r.length > 0,
    hasSignals,
  };
}
