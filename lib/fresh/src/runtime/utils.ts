/**
 * Browser-safe helpers: `IS_BROWSER` and the cache-busting `asset()`.
 * @module
 */
import { BUILD_ID } from "./build_id.ts";

/** True in the browser, false during server rendering. */
export const IS_BROWSER: boolean = typeof document !== "undefined";

/** Prefix of the runtime's own URLs. */
export const INTERNAL_PREFIX = "/_frsh";
/** Query key that marks a versioned (immutable) static URL. */
export const ASSET_CACHE_BUST_KEY = "__frsh_c";

/**
 * Add `__frsh_c=<BUILD_ID>` to a root-relative path so it can be cached
 * forever. Other paths, and paths already versioned, come back unchanged.
 */
export function asset(path: string): string {
  if (!path.startsWith("/") || path.startsWith("//")) return path;
  try {
    const url = new URL(path, "https://freshassetcache.local");
    if (
      url.protocol !== "https:" || url.host !== "freshassetcache.local" ||
      url.searchParams.has(ASSET_CACHE_BUST_KEY)
    ) {
      return path;
    }
    url.searchParams.set(ASSET_CACHE_BUST_KEY, BUILD_ID);
    return url.pathname + url.search + url.hash;
  } catch (err) {
    console.warn(
      `Failed to create asset() URL, falling back to "${path}"`,
      err,
    );
    return path;
  }
}

/** Apply {@linkcode asset} to each URL of a `srcset` (left alone if it has `(`). */
export function assetSrcSet(srcset: string): string {
  if (srcset.includes("(")) return srcset;
  return srcset.split(",").map((part) => {
    const [url, ...rest] = part.trim().split(/\s+/);
    return [asset(url), ...rest].join(" ");
  }).join(", ");
}
