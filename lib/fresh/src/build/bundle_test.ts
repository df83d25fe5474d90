import { equal, match, ok, rejects } from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import { bundle, importMapPlugin } from "./bundle.ts";
import { loadDenoConfig } from "./import_map.ts";

const denoConfig = await loadDenoConfig(new URL(".", import.meta.url).pathname);

Deno.test("import map plugin gives one Preact for preact, hooks, jsx-runtime and signals", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const entry = join(dir, "entry.tsx");
    await Deno.writeTextFile(
      entry,
      `import { render } from "preact"; import { useState } from "preact/hooks";
       import { signal } from "@preact/signals"; import { IS_BROWSER } from "$fresh/runtime.ts";
       render(<p>{String(IS_BROWSER)}{signal(1)}</p>, document.body); console.log(useState);`,
    );
    const result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      metafile: true,
      format: "esm",
      platform: "browser",
      jsx: "automatic",
      jsxImportSource: "preact",
      outdir: join(dir, "out"),
      absWorkingDir: denoConfig.dir,
      logLevel: "silent",
      plugins: [importMapPlugin(denoConfig)],
    });
    const inputs = Object.keys(result.metafile.inputs);
    const preactCores = inputs.filter((p) =>
      /preact\/dist\/preact\.module\.js$/.test(p)
    );
    equal(
      preactCores.length,
      1,
      `one preact core, got ${preactCores.join(", ")}`,
    );
    ok(inputs.some((p) => p.endsWith("lib/fresh/src/runtime/utils.ts")));
    ok(inputs.some((p) => /signals/.test(p)));
  } finally {
    await esbuild.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bundle() splits islands into entries and chunks with dependencies", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const island = join(dir, "Hello.tsx");
    await Deno.writeTextFile(
      island,
      `export default function Hello() { return <b>hi</b>; }`,
    );
    const out = await bundle({
      islands: new Map([["hello", pathToFileURL(island).href]]),
      denoConfig,
      dev: false,
      buildId: "test-build",
      target: ["chrome99"],
    });
    for (
      const name of [
        "main.js",
        "deserializer.js",
        "signals.js",
        "island-hello.js",
      ]
    ) {
      ok(out.files.has(name), name);
    }
    ok(out.deps["island-hello.js"].every((d) => out.files.has(d)));
    ok([...out.files.keys()].some((f) => /^chunk-\w+\.js$/.test(f)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an island that fails to bundle names the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const island = join(dir, "Broken.tsx");
    await Deno.writeTextFile(
      island,
      `export default function Broken() { return <b>oops</i>; }`,
    );
    await rejects(
      bundle({
        islands: new Map([["broken", pathToFileURL(island).href]]),
        denoConfig,
        dev: true,
        buildId: "x",
        target: ["chrome99"],
      }),
      (err: Error) => {
        match(err.message, /Bundling the browser code failed/);
        match(err.message, /Broken\.tsx:1:\d+/);
        return true;
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
