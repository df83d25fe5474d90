/**
 * The servers under test: ours (the app, built once and started as in
 * production), the Deno floor (bench/floor_server.ts) and Node with `ws`
 * (bench/node_ws_server.mjs). Each runs as its own process on a free
 * loopback port.
 *
 * @module
 */
import { type Child, type ProcessGroup, rssKiB } from "./proc.ts";
import { openRawSocket } from "./ws_client.ts";

/** Which server. */
export type ServerName = "ours" | "floor" | "node";

/** Every server, in the order tables list them. */
export const SERVER_NAMES: readonly ServerName[] = ["ours", "floor", "node"];

/** The repository root. */
export const REPO_ROOT: string = new URL("../", import.meta.url).pathname
  .replace(/\/$/, "");

/**
 * Our server's settings for the loads: no processing delay and limits far
 * above the load, so that we measure the data path and not the throttles.
 * Everything else stays at its production default.
 */
export const OUR_ENV: Readonly<Record<string, string>> = {
  PROCESS_DELAY_MS: "0",
  MAX_CONNECTIONS: "100000",
  MAX_CONNECTIONS_PER_IP: "100000",
  RATE_PER_SECOND: "1000000",
  RATE_BURST: "1000000",
  MAX_IN_FLIGHT: "1000",
  KV_PATH: ":memory:",
};

/** A running server. */
export interface RunningServer {
  name: ServerName;
  port: number;
  /** `ws://127.0.0.1:<port>/ws` */
  wsUrl: string;
  /** `http://127.0.0.1:<port>/` */
  httpUrl: string;
  child: Child;
  /** The exact command line, for the report. */
  command: string;
}

/** How to start each server; `ours` needs {@linkcode buildOurs} first. */
export interface ServerSetup {
  /** Environment of our server's build (FRESH_OUT_DIR). */
  oursEnv: Record<string, string>;
  /** File-descriptor limit for the server processes. */
  fileLimit: number;
}

/** Asks the OS for a port that is free right now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** The command that starts `name` (program and arguments). */
export function serverCommand(name: ServerName): [string, string[]] {
  switch (name) {
    case "ours":
      return [Deno.execPath(), [
        "run",
        "--allow-net",
        "--allow-read",
        "--allow-env",
        "main.ts",
      ]];
    case "floor":
      return [Deno.execPath(), [
        "run",
        "--allow-net",
        "--allow-env",
        "bench/floor_server.ts",
      ]];
    case "node":
      return ["node", ["bench/node_ws_server.mjs"]];
  }
}

/**
 * Builds the app into a temporary directory (`deno task build` with
 * FRESH_OUT_DIR set, so that a build by someone else is not overwritten) and
 * returns the environment that serves it.
 */
export async function buildOurs(): Promise<{ env: Record<string, string> }> {
  const outDir = await Deno.makeTempDir({ prefix: "bench_fresh_" });
  const env = { FRESH_OUT_DIR: outDir };
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "build"],
    cwd: REPO_ROOT,
    env: { ...env, NO_COLOR: "1" },
    stdin: "null",
  }).output();
  if (!out.success) {
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    throw new Error(
      `deno task build failed:\n${decode(out.stdout)}${decode(out.stderr)}`,
    );
  }
  return { env };
}

/** Starts `name` and resolves once it answers HTTP on `/`. */
export async function startServer(
  group: ProcessGroup,
  name: ServerName,
  setup: ServerSetup,
): Promise<RunningServer> {
  const port = freePort();
  const [command, args] = serverCommand(name);
  const env: Record<string, string> = {
    PORT: String(port),
    ...(name === "ours" ? { ...OUR_ENV, ...setup.oursEnv } : {}),
  };
  const child = group.spawn(name, command, args, {
    cwd: REPO_ROOT,
    env,
    fileLimit: setup.fileLimit,
  });
  const httpUrl = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60000;
  while (true) {
    if (child.exited) {
      throw new Error(`${name} exited while starting:\n${child.log()}`);
    }
    try {
      const response = await fetch(httpUrl, {
        signal: AbortSignal.timeout(2000),
      });
      await response.body?.cancel();
      break;
    } catch {
      if (Date.now() > deadline) {
        await child.stop();
        throw new Error(`${name} did not answer in 60 s:\n${child.log()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const server: RunningServer = {
    name,
    port,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    httpUrl,
    child,
    command: `${
      Object.entries(env).filter(([key]) => key !== "FRESH_OUT_DIR")
        .map(([key, value]) => `${key}=${value}`).join(" ")
    } ${command === Deno.execPath() ? "deno" : command} ${args.join(" ")}`,
  };
  await warmUp(server);
  return server;
}

/**
 * Opens a few sockets, sends a seed message on each and waits for the
 * replies, so that one-time work (lazy modules, JIT) is done before any
 * measurement.
 */
export async function warmUp(server: RunningServer, sockets = 4) {
  const messages = 20;
  await Promise.all(Array.from({ length: sockets }, async (_, i) => {
    let replies = 0;
    const socket = await openRawSocket(server.wsUrl, () => replies++);
    try {
      for (let n = 0; n < messages; n++) {
        await socket.send(JSON.stringify({ message: `warm up ${i}` }));
      }
      const deadline = Date.now() + 3000;
      while (replies < messages && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      socket.close();
      await socket.closed;
    }
  }));
}

/** The server's resident memory in KiB. */
export function serverRss(server: RunningServer): number {
  return rssKiB(server.child.pid);
}
