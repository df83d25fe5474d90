/**
 * A small WebSocket test client: open, collect every frame, wait for a frame
 * matching a predicate (with a timeout), close.
 *
 * @example
 * ```ts
 * const client = await WsClient.open(`${server.wsUrl}/ws`);
 * client.send({ message: "hi" });
 * const reply = await client.waitFor((f) => f.message === "HI");
 * await client.close();
 * ```
 * @module
 */

import { WAIT_MS } from "./wait.ts";

/** A decoded frame (JSON object), or `{raw}` when a frame was not JSON. */
// deno-lint-ignore no-explicit-any
export type Frame = Record<string, any>;

/** How the socket closed. */
export interface CloseInfo {
  code: number;
  reason: string;
  wasClean: boolean;
}

/** Options for {@linkcode WsClient.open}. */
export interface WsClientOptions {
  /** Extra handshake headers (Deno extension): Origin, Cookie, Authorization. */
  headers?: Record<string, string>;
  /** How long to wait for the socket to open. @default {WAIT_MS} */
  timeoutMs?: number;
}

/** A test WebSocket client that records what it receives. */
export class WsClient {
  /** Every frame received, in order. */
  readonly frames: Frame[] = [];
  /** Receive time (performance.now()) of each frame in {@linkcode frames}. */
  readonly times: number[] = [];
  /** Resolves when the socket has closed. */
  readonly closed: Promise<CloseInfo>;
  #waiters = new Set<() => void>();

  private constructor(readonly socket: WebSocket) {
    this.closed = new Promise((resolve) => {
      socket.addEventListener("close", (event) => {
        resolve({
          code: event.code,
          reason: event.reason,
          wasClean: event.wasClean,
        });
        this.#wake();
      });
    });
    socket.addEventListener("message", (event) => {
      let frame: Frame;
      try {
        frame = typeof event.data === "string"
          ? JSON.parse(event.data)
          : { raw: event.data };
      } catch {
        frame = { raw: event.data };
      }
      this.frames.push(frame);
      this.times.push(performance.now());
      this.#wake();
    });
  }

  /** Opens a socket to `url`; rejects if it fails or times out. */
  static open(url: string, options: WsClientOptions = {}): Promise<WsClient> {
    const socket = options.headers
      ? new WebSocket(
        url,
        { headers: options.headers } as unknown as string[],
      )
      : new WebSocket(url);
    const client = new WsClient(socket);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.close();
        reject(new Error(`WebSocket to ${url} did not open in time`));
      }, options.timeoutMs ?? WAIT_MS);
      socket.addEventListener("open", () => {
        clearTimeout(timer);
        resolve(client);
      });
      socket.addEventListener("error", () => {
        clearTimeout(timer);
        reject(new Error(`WebSocket to ${url} failed`));
      });
    });
  }

  #wake(): void {
    for (const waiter of this.#waiters) waiter();
  }

  /** Sends an object as JSON, or a string / bytes as they are. */
  send(frame: unknown): void {
    if (typeof frame === "string") this.socket.send(frame);
    else if (frame instanceof Uint8Array) {
      this.socket.send(new Uint8Array(frame));
    } else this.socket.send(JSON.stringify(frame));
  }

  /**
   * Resolves with the first frame (already received or coming) that matches
   * `predicate`; rejects after `timeoutMs` or if the socket closes first. The
   * default deadline is generous: it guards against a hang on a busy CI
   * machine, it does not measure speed.
   */
  waitFor(
    predicate: (frame: Frame) => boolean,
    timeoutMs = WAIT_MS,
  ): Promise<Frame> {
    return this.waitForCount(predicate, 1, timeoutMs).then((found) => found[0]);
  }

  /** Resolves with the first `count` matching frames. */
  waitForCount(
    predicate: (frame: Frame) => boolean,
    count: number,
    timeoutMs = WAIT_MS,
  ): Promise<Frame[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.frames.filter(predicate);
        if (found.length >= count) {
          done();
          resolve(found.slice(0, count));
        } else if (this.socket.readyState === WebSocket.CLOSED) {
          done();
          reject(
            new Error(
              `Socket closed with ${found.length}/${count} matching frames; got ${
                JSON.stringify(this.frames).slice(0, 500)
              }`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `Timed out after ${timeoutMs} ms waiting for ${count} frame(s); got ${
              JSON.stringify(this.frames).slice(0, 500)
            }`,
          ),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Frames of a given `type`. */
  ofType(type: string): Frame[] {
    return this.frames.filter((frame) => frame.type === type);
  }

  /** Closes (if open) and waits for the close to finish. */
  async close(code = 1000): Promise<CloseInfo> {
    if (
      this.socket.readyState === WebSocket.OPEN ||
      this.socket.readyState === WebSocket.CONNECTING
    ) {
      this.socket.close(code);
    }
    return await this.closed;
  }
}
