/**
 * Starts a real `redis-server` for tests: on a free loopback port, with
 * persistence off, and with stop / kill / restart controls so tests can
 * simulate an outage.
 *
 * @module
 */

const REDIS_SERVER = "/usr/bin/redis-server";

/** A running (or stopped) test redis-server. */
export interface RedisServer {
  /** The TCP port it listens on (kept across restarts). */
  readonly port: number;
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** Whether the process is running. */
  readonly running: boolean;
  /** Stops it gracefully (SIGTERM) and waits for the process to exit. */
  stop(): Promise<void>;
  /** Kills it abruptly (SIGKILL), as a crash would, and waits for the exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: persistence is off). */
  restart(): Promise<void>;
  /** Same as `stop()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options for {@linkcode startRedisServer}. */
export interface RedisServerOptions {
  /** A fixed port; by default a free one is picked. */
  port?: number;
  /** How long to wait for PING to answer, in ms (default 30 000). */
  readyTimeoutMs?: number;
}

/** Returns a TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Sends one PING over a fresh connection; true when the answer is +PONG. */
export async function pingRedis(port: number): Promise<boolean> {
  let conn: Deno.TcpConn | undefined;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode("PING\r\n"));
    const buffer = new Uint8Array(64);
    const read = await conn.read(buffer);
    return read !== null &&
      new TextDecoder().decode(buffer.subarray(0, read)).startsWith("+PONG");
  } catch {
    return false;
  } finally {
    conn?.close();
  }
}

function spawnRedis(port: number): Deno.ChildProcess {
  return new Deno.Command(REDIS_SERVER, {
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--daemonize",
      "no",
      "--dir",
      Deno.env.get("TMPDIR") ?? "/tmp",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

async function waitUntilReady(
  child: Deno.ChildProcess,
  port: number,
  timeoutMs: number,
): Promise<boolean> {
  let exited = false;
  const exit = child.status.then(() => {
    exited = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (!exited && Date.now() < deadline) {
    if (await pingRedis(port)) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  if (!exited) {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }
  await exit;
  return false;
}

/** Starts redis-server and resolves once it answers PING. */
export async function startRedisServer(
  options: RedisServerOptions = {},
): Promise<RedisServer> {
  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  // A free port can be taken between picking and binding: retry a few times.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = options.port ?? freePort();
    const child = spawnRedis(port);
    if (await waitUntilReady(child, port, timeoutMs)) {
      return new TestRedisServer(port, child, timeoutMs);
    }
    if (options.port !== undefined) break;
  }
  throw new Error(`redis-server did not start (${REDIS_SERVER})`);
}

class TestRedisServer implements RedisServer {
  #child: Deno.ChildProcess | undefined;

  constructor(
    readonly port: number,
    child: Deno.ChildProcess,
    readonly readyTimeoutMs: number,
  ) {
    this.#child = child;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  async #signal(signal: Deno.Signal): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    this.#child = undefined;
    try {
      child.kill(signal);
    } catch { /* already exited */ }
    await child.status;
  }

  stop(): Promise<void> {
    return this.#signal("SIGTERM");
  }

  kill(): Promise<void> {
    return this.#signal("SIGKILL");
  }

  async restart(): Promise<void> {
    await this.stop();
    for (let attempt = 0; attempt < 20; attempt++) {
      const child = spawnRedis(this.port);
      if (await waitUntilReady(child, this.port, this.readyTimeoutMs)) {
        this.#child = child;
        return;
      }
      // The old socket may linger briefly; try again.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`redis-server did not restart on port ${this.port}`);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}
