/**
 * `deno task manifest`: regenerate `fresh.gen.ts` for the directory given
 * as the first argument (default: the current directory), honouring
 * `router.ignoreFilePattern` from its `fresh.config.ts`.
 * @module
 */
import { resolve } from "node:path";
import { configuredIgnorePattern, updateManifest } from "./src/dev/manifest.ts";

if (import.meta.main) {
  const dir = resolve(Deno.args[0] ?? ".");
  const written = await updateManifest(dir, await configuredIgnorePattern(dir));
  if (!written) console.log("The manifest is up to date.");
}
