/**
 * What every load generator process shares: talking to the runner (JSON
 * lines on stdout, commands on stdin), its own CPU time, a clock that agrees
 * across processes, and opening many sockets at once.
 *
 * @module
 */
import {
  openRawSocket,
  type RawSocket,
  type TextHandler,
} from "./ws_client.ts";
import type { RawSocketOptions } from "./ws_client.ts";
import { parseCpuTicks } from "./proc.ts";

/** Prints one event line for the runner. */
export function emit(event: string, fields: Record<string, unknown> = {}) {
  console.log(JSON.stringify({ event, ...fields }));
}

/** This process's CPU time (user + system, all threads), in ms. */
export function selfCpuMs(): number {
  return parseCpuTicks(Deno.readTextFileSync("/proc/self/stat")) * 10;
}

/** Wall-clock ms with sub-ms precision, comparable between processes. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

const stdinLines = (async function* () {
  let pending = "";
  for await (
    const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())
  ) {
    pending += chunk;
    let newline;
    while ((newline = pending.indexOf("\n")) >= 0) {
      yield pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
    }
  }
})();

/**
 * Waits for the runner to write `command` on stdin, for at most `timeoutMs`.
 * Returns false on timeout or when stdin closes (the runner is gone).
 */
export async function waitFor(
  command: string,
  timeoutMs: number,
): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    while (true) {
      const next = await Promise.race([stdinLines.next(), timeout]);
      if (next === false || next.done) return false;
      if (next.value === command) return true;
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The outcome of {@linkcode openMany}. */
export interface OpenResult {
  /** The sockets that opened, by index (undefined where opening failed). */
  sockets: (RawSocket | undefined)[];
  /** How many failed. */
  failed: number;
  /** The first few distinct failure messages. */
  errors: string[];
}

/**
 * Opens `count` sockets to `url`, at most `concurrency` handshakes at a time.
 * `handler(i)` makes the text handler of socket `i`.
 */
export async function openMany(
  url: string,
  count: number,
  concurrency: number,
  handler: (index: number) => TextHandler,
  options: RawSocketOptions = {},
): Promise<OpenResult> {
  const sockets: (RawSocket | undefined)[] = new Array(count);
  const errors = new Set<string>();
  let failed = 0;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      try {
        sockets[index] = await openRawSocket(url, handler(index), options);
      } catch (error) {
        failed++;
        if (errors.size < 5) errors.add(String(error));
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, worker),
  );
  return { sockets, failed, errors: [...errors] };
}
