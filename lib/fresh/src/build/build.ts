/**
 * Bundle a manifest's islands (JIT in dev) and write an AOT snapshot
 * (`deno task build`).
 * @module
 */
import { join } from "node:path";
import type { Manifest, ResolvedFreshConfig } from "../types.ts";
import { islandName } from "../server/islands.ts";
import { projectDir } from "../server/config.ts";
import { type BuildOutput, bundle } from "./bundle.ts";
import { loadDenoConfig } from "./import_map.ts";

/** Bundle the browser code of `manifest`. */
export async function buildAssets(
  manifest: Manifest,
  config: ResolvedFreshConfig,
  buildId: string,
): Promise<BuildOutput> {
  // every island module, even one without a function export, so its errors surface
  const islands = new Map<string, string>();
  for (const key of Object.keys(manifest.islands)) {
    islands.set(islandName(key), new URL(key, manifest.baseUrl).href);
  }
  return await bundle({
    islands,
    denoConfig: await loadDenoConfig(projectDir(manifest)),
    dev: config.dev,
    buildId,
    target: config.build.target,
  });
}

/** Empty `outDir`, write the bundles and `snapshot.json`. */
export async function writeSnapshot(
  outDir: string,
  buildId: string,
  output: BuildOutput,
): Promise<void> {
  await Deno.remove(outDir, { recursive: true }).catch((err) => {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  });
  await Deno.mkdir(outDir, { recursive: true });
  for (const [name, contents] of output.files) {
    await Deno.writeFile(join(outDir, name), contents);
  }
  const snapshot = { build_id: buildId, files: output.deps };
  await Deno.writeTextFile(
    join(outDir, "snapshot.json"),
    JSON.stringify(snapshot, null, 2) + "\n",
  );
}
