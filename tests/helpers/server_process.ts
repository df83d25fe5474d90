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

/** Thrown when the child could not bind its port (someone took it). */
class PortTakenError extends Error {}

/**
 * Start `deno run <permissions> <entry>` with `PORT` set, and resolve once it
 * answers an HTTP request on `/` (any status). Rejects, after stopping the
 * child, if it exits early or does not answer in time; the error carries its
 * output. A port picked here can be taken (by any socket on the machine)
 * before the child binds it: then it retries on another port.
 */
export async function startServer(
  options: StartServerOptions = {},
): Promise<ServerProcess> {
  for (let attempt = 1;; attempt++) {
    try {
      return await startOnce(options, options.port ?? freePort());
    } catch (error) {
      if (
        !(error instanceof PortTakenError) || options.port !== undefined ||
        attempt === 5
      ) {
        throw error;
      }
    }
  }
}

/** A child process whose stdout and stderr are collected into one string. */
export interface CapturedProcess {
  /** The child process. */
  child: Deno.ChildProcess;
  /** Everything the child printed so far (stdout and stderr interleaved). */
  output(): string;
  /** Whether the child has exited. */
  exited(): boolean;
  /** Aborts once the child has exited. */
  exitSignal: AbortSignal;
  /** Send `signal` (default SIGTERM) unless it exited; wait; return the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
}

/** Spawns `command` with piped output collected by {@linkcode CapturedProcess}. */
export function spawnCaptured(
  command: string,
  options: Omit<Deno.CommandOptions, "stdin" | "stdout" | "stderr">,
): CapturedProcess {
  const child = new Deno.Command(command, {
    ...options,
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
  const exit = new AbortController();
  const status = child.status.then((s) => {
    exited = true;
    exit.abort();
    return s;
  });
  let stopped: Promise<number> | undefined;
  return {
    child,
    output: () => output,
    exited: () => exited,
    exitSignal: exit.signal,
    stop(signal: Deno.Signal = "SIGTERM") {
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
    },
  };
}

/**
 * Polls `url` until it answers (any status). If the process exits first, or
 * nothing answers within `timeoutMs`, it stops the process and throws with
 * its output (the `exited` flag of the error says which).
 */
export async function waitForHttp(
  url: string,
  proc: CapturedProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    if (proc.exited()) {
      await proc.stop();
      throw Object.assign(
        new Error(`process exited before ${url} answered:\n${proc.output()}`),
        { exited: true },
      );
    }
    try {
      // A probe must not wait forever on a connection the child will never
      // answer (another listener on the port while the child failed to bind).
      const res = await fetch(url, { signal: proc.exitSignal });
      await res.body?.cancel();
      return;
    } catch {
      if (Date.now() > deadline) {
        await proc.stop();
        throw new Error(`nothing answered on ${url}:\n${proc.output()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function startOnce(
  options: StartServerOptions,
  port: number,
): Promise<ServerProcess> {
  const permissions = options.permissions ??
    ["--allow-net", "--allow-read", "--allow-env"];
  const proc = spawnCaptured(Deno.execPath(), {
    args: [
      "run",
      ...permissions,
      options.entry ?? "main.ts",
      ...(options.args ?? []),
    ],
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...options.env, PORT: String(port), NO_COLOR: "1" },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(url + "/", proc, options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    const exited = (error as { exited?: boolean }).exited === true;
    throw exited && /AddrInUse|is already in use/.test(proc.output())
      ? new PortTakenError((error as Error).message)
      : error;
  }
  return {
    port,
    url,
    wsUrl: `ws://127.0.0.1:${port}`,
    process: proc.child,
    stdout: proc.output,
    stop: proc.stop,
  };
}
