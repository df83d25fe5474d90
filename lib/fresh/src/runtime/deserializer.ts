/**
 * Browser side of `server/serializer.ts`: rebuild island props, re-linking
 * shared references and reviving tagged values.
 * @module
 */

/** Creates a signal; `signal` from @preact/signals. */
export type SignalFactory = (value: unknown) => unknown;

type Path = (string | number)[];

function getAt(root: unknown, path: Path): unknown {
  // deno-lint-ignore no-explicit-any
  let cur: any = root;
  for (const key of path) cur = cur[key];
  return cur;
}

function setAt(root: unknown, path: Path, value: unknown): void {
  // deno-lint-ignore no-explicit-any
  const parent: any = getAt(root, path.slice(0, -1));
  parent[path[path.length - 1]] = value;
}

/** Parse the state JSON and return its value (`[islandProps[], []]`). */
export function deserialize(text: string, signal?: SignalFactory): unknown {
  const { v, r } = JSON.parse(text) as { v: unknown; r?: Path[][] };
  for (const [target, ...others] of r ?? []) {
    const shared = getAt(v, target);
    for (const path of others) setAt(v, path, shared);
  }
  const memo = new Map<object, unknown>();
  function revive(value: unknown): unknown {
    if (typeof value !== "object" || value === null) return value;
    if (memo.has(value)) return memo.get(value);
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      memo.set(value, out);
      for (const item of value) out.push(revive(item));
      return out;
    }
    const obj = value as Record<string, unknown>;
    switch (obj._f) {
      case "s": {
        if (!signal) {
          throw new Error("signals in island props need @preact/signals");
        }
        const s = signal(undefined) as { value: unknown };
        memo.set(value, s);
        s.value = revive(obj.v);
        return s;
      }
      case "b": {
        const big = BigInt(obj.d as string);
        memo.set(value, big);
        return big;
      }
      case "l":
        return reviveObject(obj.v as Record<string, unknown>, value);
    }
    return reviveObject(obj, value);
  }
  function reviveObject(obj: Record<string, unknown>, key: object): unknown {
    const out: Record<string, unknown> = {};
    memo.set(key, out);
    for (const [k, item] of Object.entries(obj)) out[k] = revive(item);
    return out;
  }
  return revive(v);
}
