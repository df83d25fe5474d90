/**
 * Resolve a FreshConfig against the project directory.
 * @module
 */
import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type {
  FromManifestConfig,
  Manifest,
  ResolvedFreshConfig,
  ServeOptions,
} from "../types.ts";

/** Default esbuild targets (Fresh 1.7's). */
export const DEFAULT_TARGET = ["chrome99", "firefox99", "safari15"];

/** An env var, or undefined when unset or when env access is not granted. */
export function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

function toPath(value: string, base: string): string {
  if (value.startsWith("file://")) return fileURLToPath(value);
  return isAbsolute(value) ? value : resolve(base, value);
}

/** The project directory: the folder of `fresh.gen.ts`. */
export function projectDir(manifest: Manifest): string {
  return dirname(fileURLToPath(manifest.baseUrl));
}

/**
 * Apply defaults. Env `FRESH_OUT_DIR` overrides `build.outDir` (tests build
 * into temporary directories with it).
 */
export function resolveConfig(
  manifest: Manifest,
  config: FromManifestConfig,
): ResolvedFreshConfig {
  const base = projectDir(manifest);
  if (config.router?.trailingSlash) {
    throw new TypeError(
      "router.trailingSlash is not supported by this runtime",
    );
  }
  if (config.router?.basePath) {
    throw new TypeError("router.basePath is not supported by this runtime");
  }
  const { port, hostname, cert, key, reusePort, signal, onListen, onError } =
    config;
  const legacy = {
    port,
    hostname,
    cert,
    key,
    reusePort,
    signal,
    onListen,
    onError,
  };
  const server: ServeOptions = Object.fromEntries(
    Object.entries(legacy).filter(([, v]) => v !== undefined),
  );
  Object.assign(server, config.server);
  const outDir = readEnv("FRESH_OUT_DIR") ?? config.build?.outDir;
  return {
    dev: config.dev ?? false,
    build: {
      outDir: outDir ? toPath(outDir, base) : resolve(base, "_fresh"),
      target: config.build?.target ?? DEFAULT_TARGET,
    },
    render: config.render ?? ((_ctx, render) => {
      render();
    }),
    plugins: [],
    staticDir: config.staticDir
      ? toPath(config.staticDir, base)
      : resolve(base, "static"),
    router: config.router,
    server,
    basePath: "",
  };
}
