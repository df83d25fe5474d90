/**
 * The inline module that boots the islands of one page.
 * @module
 */
import type { Island } from "./islands.ts";

/** Inputs of {@linkcode bootScript}. */
export interface BootOptions {
  /** `/_frsh/js/<BUILD_ID>` */
  prefix: string;
  /** Islands rendered on the page. */
  islands: Island[];
  /** Id of the state `<script>`. */
  stateId: string;
  deserializer: boolean;
  signals: boolean;
}

/**
 * Build the boot module source and the list of bundle files it imports
 * (for modulepreload). Only the islands of this page are imported.
 */
export function bootScript(
  opts: BootOptions,
): { code: string; files: string[] } {
  const files = ["main.js"];
  const lines = [`import{revive}from"${opts.prefix}/main.js";`];
  const islandNames: string[] = [];
  for (const island of opts.islands) {
    const file = `island-${island.name}.js`;
    if (!files.includes(file)) files.push(file);
    const local = `i${islandNames.length}`;
    lines.push(
      `import{${
        safeExport(island.exportName)
      } as ${local}}from"${opts.prefix}/${file}";`,
    );
    islandNames.push(`${JSON.stringify(island.id)}:${local}`);
  }
  if (opts.deserializer) {
    files.push("deserializer.js");
    lines.push(`import{deserialize}from"${opts.prefix}/deserializer.js";`);
  }
  if (opts.signals) {
    files.push("signals.js");
    lines.push(`import{signal}from"${opts.prefix}/signals.js";`);
  }
  lines.push(
    `const ST=document.getElementById("${opts.stateId}").textContent;`,
  );
  lines.push(
    opts.deserializer
      ? `const STATE=deserialize(ST${opts.signals ? ",signal" : ""});`
      : `const STATE=JSON.parse(ST).v;`,
  );
  lines.push(`revive({${islandNames.join(",")}},STATE[0]);`);
  return { code: lines.join(""), files };
}

function safeExport(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}
