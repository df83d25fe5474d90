/**
 * Files of `static/`, scanned once at startup and served with a content
 * type, an ETag (SHA-1 of BUILD_ID + path), 304s, and `__frsh_c` cache busting.
 * @module
 */
import { join, relative, sep } from "node:path";
import { ASSET_CACHE_BUST_KEY } from "../runtime/utils.ts";
import { sha1Hex } from "./build_id.ts";

const TYPES: Record<string, string> = {
  html: "text/html; charset=UTF-8",
  htm: "text/html; charset=UTF-8",
  css: "text/css; charset=UTF-8",
  js: "text/javascript; charset=UTF-8",
  mjs: "text/javascript; charset=UTF-8",
  json: "application/json",
  map: "application/json",
  webmanifest: "application/manifest+json",
  txt: "text/plain; charset=UTF-8",
  xml: "application/xml",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  ico: "image/vnd.microsoft.icon",
  woff: "font/woff",
  woff2: "font/woff2",
  ttf: "font/ttf",
  otf: "font/otf",
  wasm: "application/wasm",
  mp3: "audio/mpeg",
  mp4: "video/mp4",
  webm: "video/webm",
  pdf: "application/pdf",
};

/** Content-Type for a file name, `application/octet-stream` if unknown. */
export function contentType(name: string): string {
  const ext = name.slice(name.lastIndexOf(".") + 1).toLowerCase();
  return TYPES[ext] ?? "application/octet-stream";
}

/** One static file. */
export interface StaticFile {
  /** Absolute file path. */
  path: string;
  size: number;
  contentType: string;
  etag: string;
}

/** Walk `dir` and map URL pathnames (percent-encoded) to files. */
export async function scanStaticDir(
  dir: string,
  buildId: string,
): Promise<Map<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  async function walk(current: string) {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(current));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return;
      throw err;
    }
    for (const entry of entries) {
      const full = join(current, entry.name);
      if (entry.isDirectory) {
        await walk(full);
      } else if (entry.isFile || entry.isSymlink) {
        const stat = await Deno.stat(full);
        if (!stat.isFile) continue;
        const pathname = urlPath(relative(dir, full));
        files.set(pathname, {
          path: full,
          size: stat.size,
          contentType: contentType(entry.name),
          etag: await sha1Hex(buildId + pathname),
        });
      }
    }
  }
  await walk(dir);
  return files;
}

/** The percent-encoded URL pathname of a path relative to the static dir. */
export function urlPath(rel: string): string {
  // `%`, `?` and `#` are file name characters here, not URL syntax
  const escaped = rel.split(sep).map((segment) =>
    segment.replaceAll("%", "%25").replaceAll("?", "%3F").replaceAll("#", "%23")
  );
  return new URL("/" + escaped.join("/"), "http://x").pathname;
}

function etagMatches(header: string | null, etag: string): boolean {
  if (!header) return false;
  return header.split(",").some((tag) => {
    const t = tag.trim().replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
    return t === etag || t === "*";
  });
}

/** Serve a static file for GET/HEAD (405 for other methods). */
export async function serveStaticFile(
  req: Request,
  url: URL,
  file: StaticFile,
  buildId: string,
): Promise<Response> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    return new Response(null, {
      status: 405,
      headers: { accept: "HEAD, GET", allow: "HEAD, GET" },
    });
  }
  const headers = new Headers({
    "content-type": file.contentType,
    etag: `"${file.etag}"`,
    vary: "If-None-Match",
  });
  const version = url.searchParams.get(ASSET_CACHE_BUST_KEY);
  if (version !== null) {
    if (version !== buildId) {
      const clean = new URL(url);
      clean.searchParams.delete(ASSET_CACHE_BUST_KEY);
      return new Response(null, {
        status: 307,
        headers: {
          location: clean.pathname + clean.search,
          "cache-control": "no-cache",
        },
      });
    }
    headers.set("cache-control", "public, max-age=31536000, immutable");
  }
  if (etagMatches(req.headers.get("if-none-match"), file.etag)) {
    return new Response(null, { status: 304, headers });
  }
  headers.set("content-length", String(file.size));
  if (req.method === "HEAD") {
    return new Response(null, { status: 200, headers });
  }
  const handle = await Deno.open(file.path, { read: true });
  return new Response(handle.readable, { status: 200, headers });
}
