/**
 * `dev(base, entry, config?)`: regenerate the manifest, then either build
 * (`dev.ts build`) or start the app in dev mode (bundles built on demand).
 * @module
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { FreshConfig, Manifest } from "../types.ts";
import { updateManifest } from "./manifest.ts";
import { BUILD_ID } from "../server/build_id.ts";
import { resolveConfig } from "../server/config.ts";

/** Run the dev command for the project whose `dev.ts` is at `base`. */
export async function dev(
  base: string,
  entrypoint: string,
  config?: FreshConfig,
): Promise<void> {
  const dir = dirname(fileURLToPath(base));
  await updateManifest(dir, config?.router?.ignoreFilePattern);
  if (Deno.args.includes("build")) {
    const manifest = (await import(new URL("./fresh.gen.ts", base).href))
      .default as Manifest;
    await build(manifest, config ?? {});
    return;
  }
  Deno.env.set("__FRSH_LEGACY_DEV", "true");
  if (config) {
    const manifest = (await import(new URL("./fresh.gen.ts", base).href))
      .default as Manifest;
    const { start } = await import("../server/start.ts");
    await start(manifest, config);
    return;
  }
  await import(new URL(entrypoint, base).href);
}

/** AOT build: bundles and `snapshot.json` into `build.outDir`. */
export async function build(
  manifest: Manifest,
  config: FreshConfig,
): Promise<void> {
  const { buildAssets, writeSnapshot } = await import("../build/build.ts");
  const resolved = resolveConfig(manifest, { ...config, dev: false });
  const started = performance.now();
  const output = await buildAssets(manifest, resolved, BUILD_ID);
  await writeSnapshot(resolved.build.outDir, BUILD_ID, output);
  const ms = Math.round(performance.now() - started);
  console.log(
    `Built ${output.files.size} files into ${resolved.build.outDir} in ${ms} ms (build id ${BUILD_ID}).`,
  );
}
