/**
 * Child processes for the benchmark runner: start servers and load
 * generators in their own process groups with the file-descriptor limit
 * raised, read their CPU time and memory from /proc, and stop every one of
 * them on the way out, even after a failure.
 *
 * @module
 */

/** Linux reports utime/stime in USER_HZ ticks, which is 100 on every arch we run. */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system, all threads) of process `pid`, in ms. */
export function cpuTimeMs(pid: number): number {
  return parseCpuTicks(Deno.readTextFileSync(`/proc/${pid}/stat`)) * 1000 /
    TICKS_PER_SECOND;
}

/** utime + stime from the text of /proc/<pid>/stat. */
export function parseCpuTicks(stat: string): number {
  // The command name (field 2) may hold spaces and parentheses; fields after
  // the last ')' are plain. utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** Resident set size of process `pid`, in KiB (VmRSS from /proc/<pid>/status). */
export function rssKiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}

/** The hard limit on open files for processes we start (`ulimit -Hn`). */
export async function hardFileLimit(): Promise<number> {
  const out = await new Deno.Command("sh", { args: ["-c", "ulimit -Hn"] })
    .output();
  const text = new TextDecoder().decode(out.stdout).trim();
  return text === "unlimited" ? 1 << 20 : Number(text);
}

/** Options for {@linkcode ProcessGroup.spawn}. */
export interface SpawnOptions {
  /** Working directory. */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Raise `ulimit -n` to this before exec (capped by the hard limit). */
  fileLimit?: number;
}

/** A process started by {@linkcode ProcessGroup.spawn}. */
export class Child {
  /** The process id (also its process-group id). */
  readonly pid: number;
  readonly #process: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #events: unknown[] = [];
  #waiters: (() => void)[] = [];
  #log = "";
  #exited = false;
  /** Resolves with the exit status once the process has exited. */
  readonly status: Promise<Deno.CommandStatus>;

  constructor(readonly name: string, process: Deno.ChildProcess) {
    this.#process = process;
    this.pid = process.pid;
    this.#stdin = process.stdin.getWriter();
    this.status = process.status.finally(() => {
      this.#exited = true;
      this.#wake();
    });
    this.#readLines(process.stdout, true);
    this.#readLines(process.stderr, false);
  }

  /** Whether the process has exited. */
  get exited(): boolean {
    return this.#exited;
  }

  /** The last 8 KB of what the process printed that was not a JSON event. */
  log(): string {
    return this.#log;
  }

  /** Writes one line to the process's stdin. */
  async send(line: string): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(line + "\n"));
  }

  /**
   * Waits for the next JSON line on stdout whose `event` is `event`, for at
   * most `timeoutMs`. Lines are consumed in order; other events are skipped.
   */
  async next<T>(event: string, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const index = this.#events.findIndex((e) =>
        (e as { event?: string }).event === event
      );
      if (index >= 0) return this.#events.splice(0, index + 1).pop() as T;
      if (this.#exited) {
        throw new Error(
          `${this.name} exited before "${event}":\n${this.#log.slice(-2000)}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `${this.name}: no "${event}" within ${timeoutMs} ms:\n${
            this.#log.slice(-2000)
          }`,
        );
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  }

  /** SIGTERM to the whole process group, SIGKILL after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.#exited) return;
    signalGroup(this.pid, "SIGTERM");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = await Promise.race([
      this.status.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), graceMs);
      }),
    ]);
    clearTimeout(timer);
    // Children of the child (Chromium under a page generator) die with the group.
    signalGroup(this.pid, "SIGKILL");
    if (timedOut) await this.status;
    await this.#stdin.close().catch(() => {});
  }

  #wake() {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  async #readLines(
    stream: ReadableStream<Uint8Array<ArrayBuffer>>,
    events: boolean,
  ) {
    let pending = "";
    try {
      for await (
        const chunk of stream.pipeThrough(new TextDecoderStream())
      ) {
        pending += chunk;
        let newline;
        while ((newline = pending.indexOf("\n")) >= 0) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          this.#line(line, events);
        }
      }
    } catch {
      // The pipe broke because the process died; status reports that.
    }
    if (pending) this.#line(pending, events);
  }

  #line(line: string, events: boolean) {
    if (events && line.startsWith("{")) {
      try {
        this.#events.push(JSON.parse(line));
        this.#wake();
        return;
      } catch {
        // Not an event after all; keep it in the log.
      }
    }
    this.#log = (this.#log + line + "\n").slice(-8192);
  }
}

function signalGroup(pid: number, signal: Deno.Signal) {
  try {
    Deno.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Every process the runner started, so that all of them can be stopped. */
export class ProcessGroup {
  readonly #children = new Set<Child>();

  /**
   * Starts `command args...` in a new session (so it and its own children
   * form one process group) with `ulimit -n` raised, and piped stdio.
   */
  spawn(
    name: string,
    command: string,
    args: string[],
    options: SpawnOptions = {},
  ): Child {
    const limit = options.fileLimit ?? 4096;
    // setsid execs in place (we are not a group leader), and so does sh's
    // exec: the pid we get is the pid of `command` itself.
    const script =
      `ulimit -n ${limit} 2>/dev/null || ulimit -n $(ulimit -Hn); ` +
      `exec "$0" "$@"`;
    const process = new Deno.Command("setsid", {
      args: ["sh", "-c", script, command, ...args],
      cwd: options.cwd,
      env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...options.env },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const child = new Child(name, process);
    this.#children.add(child);
    child.status.finally(() => this.#children.delete(child));
    return child;
  }

  /** Stops every child still running. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.#children].map((child) => child.stop(2000)));
  }
}
