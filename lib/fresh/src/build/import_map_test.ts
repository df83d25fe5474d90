import { deepEqual, equal } from "node:assert/strict";
import { loadDenoConfig, npmToBare, resolveSpecifier } from "./import_map.ts";

const imports = {
  "$fresh/": "./lib/fresh/",
  "preact": "npm:preact@^10.29.8",
  "preact/": "npm:/preact@^10.29.8/",
  "@preact/signals": "npm:@preact/signals@^2.11.4",
  "std/": "jsr:/@std/",
  "~/": "./",
};

Deno.test("npmToBare handles versions, scopes and subpaths", () => {
  equal(npmToBare("npm:preact@^10.29.8"), "preact");
  equal(npmToBare("npm:/preact@^10.29.8/hooks"), "preact/hooks");
  equal(npmToBare("npm:@preact/signals@^2.11.4"), "@preact/signals");
  equal(npmToBare("npm:@preact/signals-core"), "@preact/signals-core");
  equal(npmToBare("npm:preact/jsx-runtime"), "preact/jsx-runtime");
});

Deno.test("resolveSpecifier applies exact and prefix keys", () => {
  deepEqual(resolveSpecifier("preact", imports, "/app"), {
    kind: "npm",
    bare: "preact",
  });
  deepEqual(resolveSpecifier("preact/hooks", imports, "/app"), {
    kind: "npm",
    bare: "preact/hooks",
  });
  deepEqual(resolveSpecifier("preact/jsx-runtime", imports, "/app"), {
    kind: "npm",
    bare: "preact/jsx-runtime",
  });
  deepEqual(resolveSpecifier("@preact/signals", imports, "/app"), {
    kind: "npm",
    bare: "@preact/signals",
  });
  deepEqual(resolveSpecifier("$fresh/runtime.ts", imports, "/app"), {
    kind: "file",
    path: "/app/lib/fresh/runtime.ts",
  });
  deepEqual(resolveSpecifier("~/lib/x.ts", imports, "/app"), {
    kind: "file",
    path: "/app/lib/x.ts",
  });
  deepEqual(resolveSpecifier("npm:nanoid@5", imports, "/app"), {
    kind: "npm",
    bare: "nanoid",
  });
  equal(resolveSpecifier("std/assert", imports, "/app")?.kind, "unsupported");
  equal(resolveSpecifier("./local.ts", imports, "/app"), null);
});

Deno.test("loadDenoConfig finds the repository deno.json from a subfolder", async () => {
  const here = new URL(".", import.meta.url).pathname;
  const config = await loadDenoConfig(here);
  equal(config.path.endsWith("/deno.json"), true);
  equal(config.imports["$fresh/"], "./lib/fresh/");
  equal(config.jsxImportSource, "preact");
});
