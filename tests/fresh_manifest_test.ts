/**
 * The committed fresh.gen.ts files must match the files on disk. If this
 * fails after adding or removing a route or island, run `deno task manifest`
 * (and `deno run -A lib/fresh/manifest_cli.ts tests/fixture` for the fixture).
 */
import { equal } from "node:assert/strict";
import {
  collectManifestFiles,
  configuredIgnorePattern,
  generateManifest,
} from "$fresh/src/dev/manifest.ts";

for (const [name, dir] of [["app", "../"], ["fixture", "./fixture/"]]) {
  Deno.test(`[fresh] ${name} fresh.gen.ts is up to date (run \`deno task manifest\`)`, async () => {
    const root = new URL(dir, import.meta.url).pathname;
    const ignore = await configuredIgnorePattern(root);
    const expected = generateManifest(await collectManifestFiles(root, ignore));
    const actual = await Deno.readTextFile(root + "fresh.gen.ts");
    equal(
      actual,
      expected,
      `${root}fresh.gen.ts is stale: run \`deno task manifest\``,
    );
  });
}
