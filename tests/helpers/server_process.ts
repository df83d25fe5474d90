/**
 * Spawn the app (or any Deno entry) as a real process on a free port, for
 * integration and browser tests.
 *
 * @example
 * ```ts
 * const server = await startServer({ env: { FRESH_OUT_DIR: outDir } });
 * try {
 *   const res = await fetch(server.url);
 *   await res.body?.cancel();
 * } finally {
 *   await server.stop();
 * }
 * ```
 * @module
 */

/** Options for {@linkcode startServer}. */
export interface StartServerOptions {
  /** Module to run, relative to `cwd`. @default {"main.ts"} */
  entry?: string;
  /** Working directory of the child. @default {the repository root} */
  cwd?: string;
  /** Extra environment variables (PORT is set for you). */
  env?: Record<string, string>;
  /** Deno permission flags. @default {["--allow-net","--allow-read","--allow-env"]} */
  permissions?: string[];
  /** Port to listen on. @default {a free port from {@linkcode freePort}} */
  port?: number;
  /** Extra arguments after the entry module. */
  args?: string[];
  /** How long to wait for the first HTTP answer, in ms. @default {60000} */
  readyTimeoutMs?: number;
}

/** A running server process started by {@linkcode startServer}. */
export interface ServerProcess {
  /** The port the child listens on. */
  port: number;
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  /** `ws://127.0.0.1:<port>` (no trailing slash). */
  wsUrl: string;
  /** The child process. */
  process: Deno.ChildProcess;
  /** Everything the child printed so far (stdout and stderr interleaved). */
  stdout(): string;
  /** Send `signal` (default SIGTERM), wait for exit, return the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
}

/** The repository root (two levels above this file). */
export const REPO_ROOT: string = new URL("../../", import.meta.url).pathname
  .replace(/\/$/, "");

/** Ask the OS for a port that is free right now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * Start `deno run <permissions> <entry>` with `PORT` set, and resolve once it
 * answers an HTTP request on `/` (any status). Rejects, after stopping the
 * child, if it exits early or does not answer in time; the error carries its
 * output.
 */
export async function startServer(
  options: StartServerOptions = {},
): Promise<ServerProcess> {
  const port = options.port ?? freePort();
  const permissions = options.permissions ??
    ["--allow-net", "--allow-read", "--allow-env"];
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...permissions,
      options.entry ?? "main.ts",
      ...(options.args ?? []),
    ],
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...options.env, PORT: String(port), NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  let output = "";
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of stream) {
        output += decoder.decode(chunk, { stream: true });
      }
    } catch {
      // the stream errors when the child is killed mid-write
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);

  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });

  let stopped: Promise<number> | undefined;
  const stop = (signal: Deno.Signal = "SIGTERM"): Promise<number> => {
    stopped ??= (async () => {
      if (!exited) {
        try {
          child.kill(signal);
        } catch {
          // already gone
        }
      }
      const s = await status;
      await pumps;
      return s.code;
    })();
    return stopped;
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (true) {
    if (exited) {
      await stop();
      throw new Error(`server exited before answering:\n${output}`);
    }
    try {
      const res = await fetch(url + "/");
      await res.body?.cancel();
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`server did not answer on ${url}:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    port,
    url,
    wsUrl: `ws://127.0.0.1:${port}`,
    process: child,
    stdout: () => output,
    stop,
  };
}
