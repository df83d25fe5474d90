/**
 * Bundle the browser side (boot runtime, deserializer, signals, islands)
 * with esbuild from npm. An esbuild plugin resolves specifiers through
 * deno.json's import map, so the browser gets the same single Preact copy
 * (from ./node_modules) that the server uses.
 * @module
 */
import * as esbuild from "esbuild";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { type DenoConfig, resolveSpecifier } from "./import_map.ts";

/** A bundle: file name → contents, and each file's static imports. */
export interface BuildOutput {
  files: Map<string, Uint8Array>;
  /** Static (`import-statement`) dependencies of each `.js` file. */
  deps: Record<string, string[]>;
}

/** Options of {@linkcode bundle}. */
export interface BundleOptions {
  /** Island modules: bundle name (`counter`) → absolute file URL. */
  islands: Map<string, string>;
  denoConfig: DenoConfig;
  dev: boolean;
  buildId: string;
  target: string | string[];
}

const RUNTIME_DIR = new URL("../runtime/", import.meta.url);
const BUILD_ID_MODULE = fileURLToPath(new URL("build_id.ts", RUNTIME_DIR));

/** The plugin that applies deno.json's import map. */
export function importMapPlugin(config: DenoConfig): esbuild.Plugin {
  return {
    name: "deno-import-map",
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData?.viaImportMap || args.kind === "entry-point") {
          return undefined;
        }
        const resolved = resolveSpecifier(
          args.path,
          config.imports,
          config.dir,
        );
        if (!resolved) return undefined;
        if (resolved.kind === "unsupported") {
          return { errors: [{ text: resolved.reason }] };
        }
        if (resolved.kind === "file") return { path: resolved.path };
        const result = await build.resolve(resolved.bare, {
          kind: args.kind,
          resolveDir: config.dir,
          importer: args.importer,
          pluginData: { viaImportMap: true },
        });
        if (result.errors.length) return { errors: result.errors };
        return {
          path: result.path,
          external: result.external,
          sideEffects: result.sideEffects,
        };
      });
    },
  };
}

function buildIdPlugin(buildId: string): esbuild.Plugin {
  return {
    name: "fresh-build-id",
    setup(build) {
      build.onLoad({ filter: /build_id\.ts$/ }, (args) => {
        if (args.path !== BUILD_ID_MODULE) return undefined;
        return {
          contents: `export const BUILD_ID = ${
            JSON.stringify(buildId)
          };export function setBuildId() {}`,
          loader: "js",
        };
      });
    },
  };
}

/** Build every browser entry point; throws an Error naming the failing files. */
export async function bundle(opts: BundleOptions): Promise<BuildOutput> {
  const entryPoints: Record<string, string> = {
    main: fileURLToPath(new URL("entrypoints/main.ts", RUNTIME_DIR)),
    deserializer: fileURLToPath(new URL("deserializer.ts", RUNTIME_DIR)),
  };
  if (
    resolveSpecifier(
      "@preact/signals",
      opts.denoConfig.imports,
      opts.denoConfig.dir,
    )
  ) {
    entryPoints.signals = fileURLToPath(
      new URL("entrypoints/signals.ts", RUNTIME_DIR),
    );
  }
  for (const [name, url] of opts.islands) {
    entryPoints[`island-${name}`] = fileURLToPath(url);
  }

  const outdir = opts.denoConfig.dir + "/_frsh_bundle";
  let result: esbuild.BuildResult<{ write: false; metafile: true }>;
  try {
    result = await esbuild.build({
      entryPoints,
      bundle: true,
      format: "esm",
      platform: "browser",
      splitting: true,
      treeShaking: true,
      write: false,
      metafile: true,
      outdir,
      absWorkingDir: opts.denoConfig.dir,
      target: opts.target,
      jsx: "automatic",
      jsxImportSource: opts.denoConfig.jsxImportSource,
      minify: !opts.dev,
      minifySyntax: true,
      minifyWhitespace: true,
      sourcemap: opts.dev ? "linked" : false,
      legalComments: "none",
      logLevel: "silent",
      define: {
        "process.env.NODE_ENV": opts.dev ? '"development"' : '"production"',
      },
      plugins: [buildIdPlugin(opts.buildId), importMapPlugin(opts.denoConfig)],
    });
  } catch (err) {
    throw bundleError(err, opts.denoConfig.dir);
  } finally {
    await esbuild.stop();
  }

  const files = new Map<string, Uint8Array>();
  for (const file of result.outputFiles) {
    files.set(relative(outdir, file.path), file.contents);
  }
  const deps: Record<string, string[]> = {};
  for (const [path, output] of Object.entries(result.metafile.outputs)) {
    const name = relative(relative(opts.denoConfig.dir, outdir), path);
    if (!name.endsWith(".js")) continue;
    deps[name] = output.imports
      .filter((i) => i.kind === "import-statement" && !i.external)
      .map((i) => relative(relative(opts.denoConfig.dir, outdir), i.path));
  }
  return { files, deps };
}

function bundleError(err: unknown, dir: string): Error {
  const failure = err as Partial<esbuild.BuildFailure>;
  if (!Array.isArray(failure.errors)) return err as Error;
  const lines = failure.errors.map((e) => {
    const where = e.location
      ? `${
        relative(dir, e.location.file) || e.location.file
      }:${e.location.line}:${e.location.column}: `
      : "";
    return `  ${where}${e.text}`;
  });
  return new Error(`Bundling the browser code failed:\n${lines.join("\n")}`, {
    cause: err,
  });
}
