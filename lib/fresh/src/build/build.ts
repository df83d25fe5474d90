/**
 * Bundle a manifest's islands (JIT in dev) and write an AOT snapshot
 * (`deno task build`).
 * @module
 */
import { join } from "node:path";
import type { Manifest, ResolvedFreshConfig } from "../types.ts";
import { collectIslands } from "../server/islands.ts";
import { projectDir } from "../server/config.ts";
import { type BuildOutput, bundle } from "./bundle.ts";
import { loadDenoConfig } from "./import_map.ts";

/** Bundle the browser code of `manifest`. */
export async function buildAssets(
  manifest: Manifest,
  config: ResolvedFreshConfig,
  buildId: string,
): Promise<BuildOutput> {
  const islands = new Map<string, string>();
  for (const island of collectIslands(manifest)) {
    islands.set(island.name, island.url);
  }
  // island modules with no function export are still bundled so edits surface errors
  for (const key of Object.keys(manifest.islands)) {
    const url = new URL(key, manifest.baseUrl).href;
    if (![...islands.values()].includes(url)) {
      islands.set(
        key.replace(/^\.\/islands\//, "").replace(/\.\w+$/, "").toLowerCase(),
        url,
      );
    }
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
