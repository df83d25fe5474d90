/**
 * Build a Fresh app once per test process, into a private temporary output
 * directory, so parallel test files never write the same `_fresh/` folder.
 *
 * The runtime reads env `FRESH_OUT_DIR` (it overrides `build.outDir`), both
 * when building and when serving. Pass the returned `env` to
 * {@linkcode startServer} so the server serves exactly this build.
 *
 * @example
 * ```ts
 * const build = await buildApp(REPO_ROOT);
 * const server = await startServer({ env: build.env });
 * ```
 * @module
 */

/** The result of {@linkcode buildApp}. */
export interface AppBuild {
  /** Absolute path of the build output (holds `snapshot.json`). */
  outDir: string;
  /** `{ FRESH_OUT_DIR: outDir }`, to hand to the server process. */
  env: Record<string, string>;
}

const builds = new Map<string, Promise<AppBuild>>();

/**
 * Run `deno run -A dev.ts build` in `cwd` with `FRESH_OUT_DIR` set to a fresh
 * temporary directory. Repeated calls for the same `cwd` in one process share
 * one build. Throws with the build's output if it fails. The directory is
 * removed when this test process exits (not earlier: every test of the file
 * may serve it), by an `unload` listener.
 */
export function buildApp(cwd: string): Promise<AppBuild> {
  let build = builds.get(cwd);
  if (!build) {
    build = runBuild(cwd);
    builds.set(cwd, build);
    build.catch(() => builds.delete(cwd));
  }
  return build;
}

async function runBuild(cwd: string): Promise<AppBuild> {
  const outDir = await Deno.makeTempDir({ prefix: "fresh_build_" });
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(outDir, { recursive: true });
    } catch {
      // already gone
    }
  });
  const env = { FRESH_OUT_DIR: outDir };
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "dev.ts", "build"],
    cwd,
    env: { ...env, NO_COLOR: "1" },
    stdin: "null",
  }).output();
  if (!out.success) {
    const text = new TextDecoder().decode(out.stdout) +
      new TextDecoder().decode(out.stderr);
    throw new Error(`build failed in ${cwd}:\n${text}`);
  }
  return { outDir, env };
}
