/**
 * Island records from the manifest: every function export of every module
 * in `islands/` is an island, identified by function identity.
 * @module
 */
import type { Manifest } from "../types.ts";

/** One island export. */
export interface Island {
  /** `<name>_<export>`, lowercased, e.g. `counter_default`. */
  id: string;
  /** The module's island name, e.g. `counter` (bundle `island-counter.js`). */
  name: string;
  /** The export's name, e.g. `default`. */
  exportName: string;
  /** Manifest key, e.g. `./islands/Counter.tsx`. */
  key: string;
  /** Absolute file URL of the module. */
  url: string;
  // deno-lint-ignore ban-types
  component: Function;
}

/** Derive an island module's name from its manifest key. */
export function islandName(key: string): string {
  const rel = key.replace(/^\.\/islands\//, "").replace(
    /^\.\/routes\/(.*\/)?\(_islands\)\//,
    "$1",
  )
    .replace(/\.(tsx|ts|jsx|js)$/, "");
  const name = rel.replace(/[^a-zA-Z0-9_$]+/g, "_");
  return name.toLowerCase();
}

/** Collect all islands of a manifest. */
export function collectIslands(manifest: Manifest): Island[] {
  const out: Island[] = [];
  for (const [key, mod] of Object.entries(manifest.islands)) {
    const name = islandName(key);
    const url = new URL(key, manifest.baseUrl).href;
    for (
      const [exportName, value] of Object.entries(
        mod as Record<string, unknown>,
      )
    ) {
      if (typeof value !== "function") continue;
      out.push({
        id: `${name}_${exportName.toLowerCase()}`,
        name,
        exportName,
        key,
        url,
        component: value,
      });
    }
  }
  return out;
}
