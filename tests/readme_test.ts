import assert from "node:assert/strict";
import { SETTINGS } from "../lib/config.ts";

const readme = await Deno.readTextFile(
  new URL("../README.md", import.meta.url),
);

Deno.test("README lists every setting with its default and meaning", () => {
  for (const setting of SETTINGS) {
    const row = readme.split("\n").find((line) =>
      line.startsWith(`| \`${setting.name}\``)
    );
    assert(row, `README.md has no row for ${setting.name}`);
    const shown = setting.default === "" ? "(unset)" : `\`${setting.default}\``;
    assert(
      row.includes(shown),
      `README.md shows the wrong default for ${setting.name}: ${row}`,
    );
    assert(
      row.includes(setting.description),
      `README.md describes ${setting.name} differently from lib/config.ts`,
    );
  }
});

Deno.test("README shows the start and test commands", () => {
  assert(readme.includes("deno task start"));
  assert(readme.includes("deno task test"));
  assert(readme.includes("npm install -g deno"));
});
