/**
 * deno.json discovery and import-map resolution for bundling: maps a
 * specifier to a file or to a package in `node_modules`.
 * @module
 */
import { dirname, isAbsolute, join, resolve } from "node:path";

/** The parts of deno.json the bundler needs. */
export interface DenoConfig {
  /** Absolute path of deno.json. */
  path: string;
  /** Its directory (import map targets are relative to it). */
  dir: string;
  imports: Record<string, string>;
  jsxImportSource: string;
}

/** Where a specifier leads. */
export type Resolved =
  | { kind: "file"; path: string }
  | { kind: "npm"; bare: string }
  | { kind: "unsupported"; reason: string };

function stripJsonComments(text: string): string {
  return text.replace(
    /("(?:\\.|[^"\\])*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g,
    (_match, str) => str ?? "",
  );
}

/** Find deno.json(c) in `startDir` or above and read its import map. */
export async function loadDenoConfig(startDir: string): Promise<DenoConfig> {
  let dir = startDir;
  while (true) {
    for (const name of ["deno.json", "deno.jsonc"]) {
      const path = join(dir, name);
      let text: string;
      try {
        text = await Deno.readTextFile(path);
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) continue;
        throw err;
      }
      const json = JSON.parse(stripJsonComments(text));
      let imports = json.imports;
      if (!imports && typeof json.importMap === "string") {
        const mapPath = resolve(dir, json.importMap);
        imports = JSON.parse(await Deno.readTextFile(mapPath)).imports;
      }
      if (!imports) throw new Error(`${path} has no "imports" or "importMap"`);
      return {
        path,
        dir,
        imports,
        jsxImportSource: json.compilerOptions?.jsxImportSource ?? "preact",
      };
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`No deno.json found in ${startDir} or above`);
    }
    dir = parent;
  }
}

/** Turn an `npm:` target into a bare package specifier (`npm:/preact@^10/hooks` → `preact/hooks`). */
export function npmToBare(specifier: string): string {
  const rest = specifier.replace(/^npm:\/?/, "");
  const match = /^((?:@[^/]+\/)?[^@/]+)(?:@[^/]*)?(\/.*)?$/.exec(rest);
  if (!match) throw new Error(`Invalid npm specifier: ${specifier}`);
  return match[1] + (match[2] ?? "");
}

function mapTarget(target: string, baseDir: string): Resolved {
  if (target.startsWith("npm:")) {
    return { kind: "npm", bare: npmToBare(target) };
  }
  if (target.startsWith("./") || target.startsWith("../")) {
    return { kind: "file", path: resolve(baseDir, target) };
  }
  if (target.startsWith("file://")) {
    return { kind: "file", path: new URL(target).pathname };
  }
  if (isAbsolute(target)) return { kind: "file", path: target };
  return {
    kind: "unsupported",
    reason:
      `cannot bundle "${target}" (only npm: and local files are available)`,
  };
}

/**
 * Resolve `specifier` through the import map (exact key, then the longest
 * `/`-ending prefix key), or a direct `npm:`/`jsr:`/URL specifier. Returns
 * null for specifiers esbuild handles itself (relative paths, bare names the
 * map does not mention).
 */
export function resolveSpecifier(
  specifier: string,
  imports: Record<string, string>,
  baseDir: string,
): Resolved | null {
  if (Object.hasOwn(imports, specifier)) {
    return mapTarget(imports[specifier], baseDir);
  }
  let best = "";
  for (const key of Object.keys(imports)) {
    if (
      key.endsWith("/") && specifier.startsWith(key) && key.length > best.length
    ) best = key;
  }
  if (best) {
    return mapTarget(imports[best] + specifier.slice(best.length), baseDir);
  }
  if (specifier.startsWith("npm:")) {
    return { kind: "npm", bare: npmToBare(specifier) };
  }
  if (/^(jsr:|https?:)/.test(specifier)) {
    return {
      kind: "unsupported",
      reason:
        `cannot bundle "${specifier}" (only npm: and local files are available)`,
    };
  }
  return null;
}
