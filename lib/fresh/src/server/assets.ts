/**
 * Client bundles: loaded from a build snapshot (`_fresh/`), bundled
 * just-in-time in dev, or missing (production without `deno task build`),
 * and served at `/_frsh/js/<BUILD_ID>/<file>`.
 * @module
 */
import { join } from "node:path";
import type { BuildOutput } from "../build/bundle.ts";
import { BUILD_ID } from "../runtime/build_id.ts";
import { contentType } from "./static_files.ts";

/** `snapshot.json` as written by `deno task build`. */
export interface Snapshot {
  build_id: string;
  files: Record<string, string[]>;
}

/** Read a snapshot from `outDir`, or null if there is none. */
export async function loadSnapshot(
  outDir: string,
): Promise<{ buildId: string; output: BuildOutput } | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(outDir, "snapshot.json"));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
  const snapshot = JSON.parse(text) as Snapshot;
  const files = new Map<string, Uint8Array>();
  for await (const entry of Deno.readDir(outDir)) {
    if (entry.isFile && entry.name !== "snapshot.json") {
      files.set(entry.name, await Deno.readFile(join(outDir, entry.name)));
    }
  }
  return {
    buildId: snapshot.build_id,
    output: { files, deps: snapshot.files },
  };
}

/** Where the bundles come from. */
export class AssetStore {
  #output?: BuildOutput;
  #pending?: Promise<BuildOutput>;
  #build?: () => Promise<BuildOutput>;
  #missing?: string;
  readonly dev: boolean;

  private constructor(dev: boolean) {
    this.dev = dev;
  }

  /** Bundles from a loaded snapshot. */
  static fromSnapshot(output: BuildOutput): AssetStore {
    const store = new AssetStore(false);
    store.#output = output;
    return store;
  }

  /** Bundles built lazily on the first request, then kept for the process. */
  static jit(build: () => Promise<BuildOutput>, dev: boolean): AssetStore {
    const store = new AssetStore(dev);
    store.#build = build;
    return store;
  }

  /** No bundles: every request gets a 500 with `message`. */
  static missing(message: string): AssetStore {
    const store = new AssetStore(false);
    store.#missing = message;
    return store;
  }

  /** `/_frsh/js/<BUILD_ID>` */
  get prefix(): string {
    return `/_frsh/js/${BUILD_ID}`;
  }

  /** Static imports of `file`, once a build is known. */
  dependencies(file: string): string[] | undefined {
    return this.#output?.deps[file];
  }

  async #get(): Promise<BuildOutput> {
    if (this.#output) return this.#output;
    if (this.#missing) throw new Error(this.#missing);
    this.#pending ??= this.#build!().then((out) => (this.#output = out))
      .finally(() => {
        this.#pending = undefined;
      });
    return await this.#pending;
  }

  /** Answer `GET /_frsh/js/<BUILD_ID>/<file>`. */
  async serve(req: Request, file: string): Promise<Response> {
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response(null, {
        status: 405,
        headers: { accept: "HEAD, GET", allow: "HEAD, GET" },
      });
    }
    let output: BuildOutput;
    try {
      output = await this.#get();
    } catch (err) {
      console.error(err);
      return new Response((err as Error).message, { status: 500 });
    }
    const contents = output.files.get(file);
    if (!contents) return new Response("Not found", { status: 404 });
    return new Response(
      req.method === "HEAD" ? null : contents as Uint8Array<ArrayBuffer>,
      {
        headers: {
          "content-type": contentType(file),
          "content-length": String(contents.byteLength),
          "cache-control": this.dev
            ? "no-cache, no-store, max-age=0, must-revalidate"
            : "public, max-age=604800, immutable",
        },
      },
    );
  }
}
