/**
 * File paths under `routes/` to URL patterns, route ordering, and matching.
 * @module
 */

/** True when `pattern` needs URLPattern (else it is compared as a string). */
export function isDynamicPattern(pattern: string): boolean {
  return /[*:{}+?()]/.test(pattern);
}

/**
 * Turn a route file path (relative to routes/, no extension, `/`-separated)
 * into a URLPattern pathname: `index` drops out, `(group)` folders drop out,
 * `[id]` → `:id`, `[...rest]` → `:rest*`, `[[opt]]` → `{/:opt}?`.
 */
export function pathToPattern(path: string): string {
  const parts = path.split("/");
  if (parts[parts.length - 1] === "index") parts.pop();
  let route = "";
  for (const part of parts) {
    if (part === "" || (part.startsWith("(") && part.endsWith(")"))) continue;
    const optional = /^\[\[([^\[\]]+)\]\]$/.exec(part);
    if (optional) {
      route += `{/:${optional[1]}}?`;
      continue;
    }
    if (/\]\[/.test(part)) {
      throw new SyntaxError(
        `Invalid route segment "${part}": params must be separated`,
      );
    }
    route += "/" +
      part.replace(/\[\.\.\.([^\]]+)\]/g, ":$1*").replace(
        /\[([^\]]+)\]/g,
        ":$1",
      );
  }
  return route === "" ? "/" : route;
}

/** The folder scope of a route, layout or middleware file (groups kept). */
export function baseRoute(path: string): string {
  const parts = path.split("/");
  const last = parts[parts.length - 1];
  if (last === "index" || last === "_layout" || last === "_middleware") {
    parts.pop();
  }
  return parts.join("/");
}

/** Whether a layout/middleware scoped at `scope` covers a route at `base`. */
export function inScope(scope: string, base: string): boolean {
  return scope === "" || base === scope || base.startsWith(scope + "/");
}

function segmentRank(segment: string): number {
  if (segment.startsWith("_middleware")) return 0;
  if (segment.startsWith("_")) return 1;
  if (segment.startsWith("(")) return 2;
  if (segment.startsWith("[...") || segment.startsWith("[[")) return 5;
  if (segment.includes("[")) return segment.startsWith("[") ? 4 : 3;
  return 2;
}

/**
 * Order route paths so the first match wins as in Fresh: per segment,
 * middleware, other `_` files, literals, params, rest params last; shorter
 * paths before longer ones at equal rank.
 */
export function compareRoutePaths(a: string, b: string): number {
  const sa = a.split("/");
  const sb = b.split("/");
  for (let i = 0; i < Math.max(sa.length, sb.length); i++) {
    const x = sa[i];
    const y = sb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const rx = segmentRank(x);
    const ry = segmentRank(y);
    if (rx !== ry) return rx - ry;
    // a file ("index") sorts before a folder at the same level
    const lastX = i === sa.length - 1;
    const lastY = i === sb.length - 1;
    if (lastX !== lastY) return lastX ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** A compiled matcher for one pattern. */
export interface PatternMatcher {
  pattern: string;
  match(pathname: string): Record<string, string> | null;
}

/** Compile a pathname pattern (exact string or URLPattern). */
export function compilePattern(pattern: string): PatternMatcher {
  if (!isDynamicPattern(pattern)) {
    return { pattern, match: (p) => (p === pattern ? {} : null) };
  }
  const urlPattern = new URLPattern({ pathname: pattern });
  return {
    pattern,
    match(pathname) {
      const res = urlPattern.exec({ pathname });
      if (!res) return null;
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.pathname.groups)) {
        params[k] = v === undefined ? "" : decodeParam(v);
      }
      return params;
    },
  };
}

/** Percent-decode a param; a malformed escape is kept as sent, not thrown. */
function decodeParam(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
