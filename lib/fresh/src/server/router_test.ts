import { deepEqual as assertEq, throws } from "node:assert/strict";
import {
  baseRoute,
  compareRoutePaths,
  compilePattern,
  inScope,
  pathToPattern,
} from "./router.ts";

Deno.test("pathToPattern maps Fresh file names", () => {
  const cases: [string, string][] = [
    ["index", "/"],
    ["(group)/index", "/"],
    ["about", "/about"],
    ["blog/index", "/blog"],
    ["blog/[slug]", "/blog/:slug"],
    ["old/[...path]", "/old/:path*"],
    ["docs/[[version]]/index", "/docs{/:version}?"],
    ["[id]@[v]", "/:id@:v"],
    ["[id]-x", "/:id-x"],
    ["(marketing)/about", "/about"],
    ["api/joke", "/api/joke"],
  ];
  for (const [path, pattern] of cases) {
    assertEq(pathToPattern(path), pattern, path);
  }
});

Deno.test("pathToPattern rejects adjacent params", () => {
  throws(() => pathToPattern("[a][b]"), SyntaxError);
});

Deno.test("compilePattern matches params, rest and optional", () => {
  assertEq(compilePattern("/blog/:slug").match("/blog/hello%20x"), {
    slug: "hello x",
  });
  assertEq(compilePattern("/old/:path*").match("/old/a/b/c"), {
    path: "a/b/c",
  });
  assertEq(compilePattern("/old/:path*").match("/old"), { path: "" });
  assertEq(compilePattern("/docs{/:version}?").match("/docs"), { version: "" });
  assertEq(compilePattern("/docs{/:version}?").match("/docs/v2"), {
    version: "v2",
  });
  // a malformed escape must not throw out of the router
  assertEq(compilePattern("/blog/:slug").match("/blog/%E0%A4%A"), {
    slug: "%E0%A4%A",
  });
  assertEq(compilePattern("/about").match("/about"), {});
  assertEq(compilePattern("/about").match("/about/x"), null);
});

Deno.test("compareRoutePaths puts literals before params before rest", () => {
  const sorted = [
    "[...rest]",
    "blog/[slug]",
    "blog/index",
    "[id]",
    "about",
    "index",
    "_app",
    "_middleware",
  ]
    .sort(compareRoutePaths);
  assertEq(sorted, [
    "_middleware",
    "_app",
    "about",
    "index",
    "blog/index",
    "blog/[slug]",
    "[id]",
    "[...rest]",
  ]);
});

Deno.test("baseRoute keeps groups and inScope checks prefixes", () => {
  assertEq(baseRoute("(group)/_layout"), "(group)");
  assertEq(baseRoute("_middleware"), "");
  assertEq(baseRoute("admin/index"), "admin");
  assertEq(inScope("", "anything"), true);
  assertEq(inScope("(group)", "(group)/about"), true);
  assertEq(inScope("(group)", "about"), false);
  assertEq(inScope("admin", "administrator"), false);
});
