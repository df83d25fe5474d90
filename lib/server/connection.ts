/**
 * One WebSocket session. The data path of a frame, one call per step:
 *
 * `onmessage` → {@linkcode Connection.receive}: size check → rate check →
 * `parseClientFrame` → {@linkcode Connection.dispatch} by type → processing →
 * send.
 *
 * Every client message gets an answer (a result, a room message or an error
 * carrying its id); nothing is dropped silently. Closing the socket aborts
 * the connection's jobs through one AbortController and leaves its rooms.
 *
 * @module
 */

import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import {
  type ClientFrame,
  CLOSE_CODES,
  type ErrorCode,
  errorFrame,
  formatTime,
  type HelloFrame,
  type JoinFrame,
  type LeaveFrame,
  parseClientFrame,
  PROTOCOL_VERSION,
  type SendFrame,
  type SeriesCloseFrame,
  type SeriesOpenFrame,
  type SeriesPointsFrame,
  type ServerFrame,
  type ValidationLimits,
} from "../protocol.ts";
import {
  DEFAULT_PROCESSOR,
  isAbort,
  type ProcessorRegistry,
} from "../processing/processor.ts";
import { PoolBusyError } from "../processing/worker_pool.ts";
import type { RoomHub, RoomMember } from "./room_hub.ts";
import type { Stats } from "./stats.ts";
import { TokenBucket } from "./token_bucket.ts";

/** A `series_*` frame. */
export type SeriesFrame =
  | SeriesOpenFrame
  | SeriesPointsFrame
  | SeriesCloseFrame;

/** Per-connection forecast series state (lib/forecast provides one). */
export interface SeriesHandler {
  /** Handles one series frame; answers through the `send` it was made with. */
  handle(frame: SeriesFrame): void | Promise<void>;
  /** Frees every series of the connection. */
  close(): void;
}

/** What a {@linkcode SeriesHandlerFactory} gets from the connection. */
export interface SeriesHandlerContext {
  /** Sends a frame to this connection. */
  send(frame: ServerFrame): void;
  /** Sends an error frame (counted in stats). */
  sendError(code: ErrorCode, message: string, id?: string): void;
  /** Aborts when the connection closes. */
  signal: AbortSignal;
  /** The connection id (the owner for fair worker-pool dispatch). */
  owner: string;
}

/** Makes the series handler of one connection, on its first series frame. */
export type SeriesHandlerFactory = (
  context: SeriesHandlerContext,
) => SeriesHandler;

/** What every connection shares with the server that made it. */
export interface ConnectionContext {
  config: Config;
  logger: Logger;
  processors: ProcessorRegistry;
  stats: Stats;
  serverVersion: string;
  hub?: RoomHub;
  series?: SeriesHandlerFactory;
  /** True while the server drains for shutdown. */
  draining(): boolean;
  /** Called once, when the socket has closed for good. */
  onClosed(connection: Connection): void;
}

/** Rooms one connection may be in at once. */
export const MAX_ROOMS_PER_CONNECTION = 16;

const encoder = new TextEncoder();

function exceedsBytes(text: string, max: number): boolean {
  if (text.length > max) return true;
  // A UTF-16 code unit takes at most 3 bytes in UTF-8.
  if (text.length * 3 <= max) return false;
  return encoder.encode(text).byteLength > max;
}

let cachedSecond = -1;
let cachedTime = "";

/**
 * `formatTime()` of now, built once per second: the text only changes when
 * the second does (time zone offsets are whole minutes), and building it (a
 * Date, three local-time fields, padding) was a visible share of each reply.
 */
function currentTime(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== cachedSecond) {
    cachedTime = formatTime(new Date(second * 1000));
    cachedSecond = second;
  }
  return cachedTime;
}

function idOf(text: string): string | undefined {
  const result = parseClientFrame(text);
  if (result.ok) return "id" in result.frame ? result.frame.id : undefined;
  return result.id;
}

/** A live WebSocket session. */
export class Connection {
  /** Random id, sent in `welcome` and used as the room member id. */
  readonly id: string = crypto.randomUUID();
  readonly #socket: WebSocket;
  readonly #context: ConnectionContext;
  readonly #abort = new AbortController();
  readonly #bucket: TokenBucket;
  readonly #limits: ValidationLimits;
  readonly #inFlight = new Set<string>();
  readonly #rooms = new Map<string, RoomMember>();
  #series?: SeriesHandler;
  #strikes = 0;
  #seedCount = 0;
  /** At least the socket's unsent bytes (see sendEncoded). */
  #unsentBound = 0;
  #closing = false;
  #finished = false;

  /**
   * Wires `socket`'s events to this session.
   *
   * @param socket a server socket from `Deno.upgradeWebSocket`
   * @param context what the server shares with its connections
   * @param address the client address (for caps and logs)
   */
  constructor(
    socket: WebSocket,
    context: ConnectionContext,
    readonly address: string,
  ) {
    this.#socket = socket;
    this.#context = context;
    const { config } = context;
    // Per-frame clocks read Date.now() (a V8 built-in), not performance.now()
    // (a call into Deno): the rate limit and elapsedMs need whole
    // milliseconds only, and the cheaper clock saved about 0.5 µs per message.
    this.#bucket = new TokenBucket(
      config.ratePerSecond,
      config.rateBurst,
      Date.now,
    );
    this.#limits = {
      maxTextLength: config.maxTextLength,
      maxPointsPerFrame: 1000,
    };
    socket.binaryType = "arraybuffer";
    socket.onopen = () =>
      context.logger.debug("ws_open", { connection: this.id, address });
    socket.onmessage = (event) => this.receive(event.data);
    socket.onerror = (event) =>
      context.logger.debug("ws_error", {
        connection: this.id,
        error: (event as ErrorEvent).message,
      });
    socket.onclose = (event) => this.#finish(event.code);
  }

  /** Messages of this connection being processed now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Aborts when the connection closes. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Step 1 of the data path: checks one incoming frame and dispatches it. */
  receive(data: string | ArrayBuffer | Blob): void {
    if (this.#closing) return;
    const { config, stats } = this.#context;
    stats.framesIn++;
    const size = typeof data === "string"
      ? undefined
      : data instanceof Blob
      ? data.size
      : data.byteLength;
    if (
      size !== undefined ? size > config.maxFrameBytes : exceedsBytes(
        data as string,
        config.maxFrameBytes,
      )
    ) {
      this.close(
        CLOSE_CODES.tooBig,
        `Frames are limited to ${config.maxFrameBytes} bytes`,
      );
      return;
    }
    const text = typeof data === "string" ? data : undefined;
    // A client that let its bucket refill completely has calmed down: its
    // earlier strikes are forgiven (checked before this frame takes a token).
    const rested = this.#strikes > 0 && this.#bucket.full;
    if (!this.#bucket.take()) {
      this.#rateLimited(text);
      return;
    }
    if (rested) this.#strikes = 0;
    if (text === undefined) {
      this.sendError(
        "binary_unsupported",
        "Binary frames are not supported; send JSON text frames",
      );
      return;
    }
    const parsed = parseClientFrame(text, this.#limits);
    if (!parsed.ok) {
      this.sendError(parsed.code, parsed.message, parsed.id);
      return;
    }
    if (this.#context.draining() && parsed.frame.type !== "ping") {
      const id = "id" in parsed.frame ? parsed.frame.id : undefined;
      this.sendError(
        "shutting_down",
        "The server is shutting down; reconnect",
        id,
      );
      return;
    }
    this.dispatch(parsed.frame);
  }

  /** Step 2: hands a valid frame to its handler. */
  dispatch(frame: ClientFrame): void {
    switch (frame.type) {
      case "seed":
        return this.#seed(frame.text);
      case "hello":
        return this.#hello(frame);
      case "send":
        return this.#sendFrame(frame);
      case "ping":
        this.send(
          frame.t === undefined
            ? { type: "pong" }
            : { type: "pong", t: frame.t },
        );
        return;
      case "join":
        return void this.#join(frame);
      case "leave":
        return void this.#leave(frame);
      case "series_open":
      case "series_points":
      case "series_close":
        return void this.#seriesFrame(frame);
    }
  }

  /** Encodes and sends a server frame; false if the socket is not open. */
  send(frame: ServerFrame): boolean {
    return this.sendEncoded(JSON.stringify(frame));
  }

  /**
   * Sends an encoded frame. A reader whose unsent backlog passes
   * MAX_BUFFERED_BYTES is closed with 1013 so it cannot hold memory hostage.
   * The backlog is checked before the frame goes out: one frame larger than
   * the limit (a long history on join) is not a slow reader.
   */
  sendEncoded(encoded: string): boolean {
    if (this.#closing || this.#socket.readyState !== WebSocket.OPEN) {
      return false;
    }
    // Asking the socket for its backlog is a call into Deno per frame (one
    // per member per room message). The backlog can only have grown by what
    // was sent since the last answer, at most 3 bytes per UTF-16 unit, so the
    // socket is asked only once that bound could pass the limit.
    const limit = this.#context.config.maxBufferedBytes;
    if (this.#unsentBound > limit) {
      this.#unsentBound = this.#socket.bufferedAmount;
      if (this.#unsentBound > limit) {
        this.close(CLOSE_CODES.tryAgainLater, "The client reads too slowly");
        return false;
      }
    }
    this.#socket.send(encoded);
    this.#unsentBound += 3 * encoded.length;
    this.#context.stats.framesOut++;
    return true;
  }

  /** Sends an `error` frame (it carries `message` and `time` for seed clients). */
  sendError(
    code: ErrorCode,
    message: string,
    id?: string,
    room?: string,
  ): void {
    this.#context.stats.error(code);
    this.send(errorFrame(code, message, id, room));
  }

  /** Starts closing: aborts jobs, leaves rooms, sends a close frame. */
  close(code: number = CLOSE_CODES.normal, reason = ""): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#context.logger.info("ws_closing", {
      connection: this.id,
      code,
      reason,
    });
    this.#context.stats.close(code);
    this.#release();
    try {
      // Deno drops the TCP connection (no clean handshake) if the peer sends
      // more data frames after this close frame; the close frame itself has
      // been queued first, so a peer that reads still sees the code.
      this.#socket.close(code, reason);
    } catch {
      // Already closed underneath; onclose will finish the session.
    }
  }

  #release(): void {
    this.#abort.abort(new DOMException("Connection closed", "AbortError"));
    this.#series?.close();
    this.#series = undefined;
    const { hub, logger } = this.#context;
    for (const [room, member] of this.#rooms) {
      hub?.leave(room, member).catch((error) =>
        logger.warn("room_leave_failed", { connection: this.id, room, error })
      );
    }
    this.#rooms.clear();
  }

  #finish(reported: number): void {
    if (this.#finished) return;
    this.#finished = true;
    // Deno reports 0 when the peer vanished without a close frame; RFC 6455
    // calls that 1006 (abnormal closure), the code metrics and logs show.
    const code = reported === 0 ? CLOSE_CODES.abnormal : reported;
    if (!this.#closing) {
      // Closed by the peer (or dropped): count the peer's code.
      this.#closing = true;
      this.#context.stats.close(code);
      this.#release();
    }
    this.#context.logger.info("ws_closed", { connection: this.id, code });
    this.#context.onClosed(this);
  }

  #rateLimited(text: string | undefined): void {
    this.#strikes++;
    const { config } = this.#context;
    this.sendError(
      "rate_limited",
      `Too many frames: at most ${config.ratePerSecond} per second, bursts of ${config.rateBurst}`,
      text === undefined ? undefined : idOf(text),
    );
    if (this.#strikes >= config.rateAbuseLimit) {
      this.close(CLOSE_CODES.policyViolation, "Rate limit abused");
    }
  }

  #hello(frame: HelloFrame): void {
    if (frame.protocol !== PROTOCOL_VERSION) {
      this.sendError(
        "invalid_field",
        `This server speaks protocol ${PROTOCOL_VERSION}`,
      );
      return;
    }
    const { config, processors, serverVersion } = this.#context;
    this.send({
      type: "welcome",
      protocol: PROTOCOL_VERSION,
      server: serverVersion,
      connectionId: this.id,
      limits: {
        maxFrameBytes: config.maxFrameBytes,
        maxTextLength: config.maxTextLength,
        maxInFlight: config.maxInFlight,
        ratePerSecond: config.ratePerSecond,
        rateBurst: config.rateBurst,
        heartbeatMs: config.heartbeatMs,
      },
      processors: processors.names(),
    });
  }

  #seed(text: string): void {
    const id = `seed-${++this.#seedCount}`;
    if (this.#admit(id, DEFAULT_PROCESSOR)) {
      void this.#process(id, text, DEFAULT_PROCESSOR);
    }
  }

  #sendFrame(frame: SendFrame): void {
    const processor = frame.processor ?? DEFAULT_PROCESSOR;
    let member: RoomMember | undefined;
    if (frame.room !== undefined) {
      member = this.#rooms.get(frame.room);
      if (!member) {
        this.sendError(
          "not_in_room",
          `Join room "${frame.room}" before sending to it`,
          frame.id,
        );
        return;
      }
    }
    if (!this.#admit(frame.id, processor)) return;
    this.send({ type: "ack", id: frame.id });
    void this.#process(frame.id, frame.text, processor, frame.room, member);
  }

  /** Checks processor, in-flight bound and id uniqueness; answers refusals. */
  #admit(id: string, processor: string): boolean {
    if (!this.#context.processors.get(processor)) {
      this.sendError(
        "unknown_processor",
        `Unknown processor "${processor.slice(0, 40)}"; this server offers ${
          this.#context.processors.names().join(", ")
        }`,
        id,
      );
      return false;
    }
    if (this.#inFlight.has(id)) {
      this.sendError(
        "invalid_field",
        `Message id "${id}" is already being processed`,
        id,
      );
      return false;
    }
    if (this.#inFlight.size >= this.#context.config.maxInFlight) {
      this.sendError(
        "too_many_in_flight",
        `At most ${this.#context.config.maxInFlight} messages are processed at once per connection; wait for a result`,
        id,
      );
      return false;
    }
    return true;
  }

  /** Step 3: runs the processor, then sends the result or publishes it to the room. */
  async #process(
    id: string,
    text: string,
    processorName: string,
    room?: string,
    member?: RoomMember,
  ): Promise<void> {
    const { processors, stats, logger, hub } = this.#context;
    const processor = processors.get(processorName)!;
    const signal = this.#abort.signal;
    this.#inFlight.add(id);
    stats.jobsInFlight++;
    const started = Date.now();
    try {
      const message = await processor.run(text, signal, this.id);
      // The wall clock can be set back; a job never takes negative time.
      const elapsedMs = Math.max(0, Date.now() - started);
      stats.latency(elapsedMs);
      const time = currentTime();
      if (room === undefined || !hub || !member) {
        this.send({
          type: "result",
          id,
          message,
          time,
          processor: processor.name,
          elapsedMs,
        });
        return;
      }
      try {
        await hub.publish(room, {
          id,
          from: member.name,
          text,
          message,
          time,
          processor: processor.name,
        });
      } catch (error) {
        logger.warn("room_publish_failed", {
          connection: this.id,
          room,
          error,
        });
        this.sendError(
          "bus_unavailable",
          `The message could not be delivered to room "${room}"; try again`,
          id,
        );
      }
    } catch (error) {
      if (signal.aborted || isAbort(error, signal)) return;
      if (error instanceof PoolBusyError) {
        this.sendError(
          "too_many_in_flight",
          "The server is busy; try again shortly",
          id,
        );
        return;
      }
      logger.warn("processing_failed", {
        connection: this.id,
        processor: processor.name,
        error,
      });
      this.sendError(
        "processing_failed",
        `Processor "${processor.name}" failed: ${
          error instanceof Error ? error.message : String(error)
        }`,
        id,
      );
    } finally {
      this.#inFlight.delete(id);
      stats.jobsInFlight--;
    }
  }

  async #join(frame: JoinFrame): Promise<void> {
    const { hub, logger } = this.#context;
    if (!hub) {
      this.sendError(
        "bus_unavailable",
        "Rooms are not available on this server",
        undefined,
        frame.room,
      );
      return;
    }
    const previous = this.#rooms.get(frame.room);
    if (!previous && this.#rooms.size >= MAX_ROOMS_PER_CONNECTION) {
      this.sendError(
        "invalid_field",
        `A connection may join at most ${MAX_ROOMS_PER_CONNECTION} rooms`,
        undefined,
        frame.room,
      );
      return;
    }
    if (previous) {
      // Joining again (e.g. under a new name or to resync) replaces the membership.
      this.#rooms.delete(frame.room);
      await hub.leave(frame.room, previous).catch(() => {});
    }
    const member: RoomMember = {
      id: this.id,
      name: frame.name,
      send: (encoded) => void this.sendEncoded(encoded),
    };
    this.#rooms.set(frame.room, member);
    try {
      const joined = await hub.join(frame.room, member, frame.since);
      if (this.#closing || this.#rooms.get(frame.room) !== member) {
        // Closed, left or joined again while this join was pending: the
        // client no longer expects this membership, so it is undone.
        await hub.leave(frame.room, member);
        return;
      }
      this.send(joined);
    } catch (error) {
      if (this.#rooms.get(frame.room) === member) {
        this.#rooms.delete(frame.room);
      }
      logger.warn("room_join_failed", {
        connection: this.id,
        room: frame.room,
        error,
      });
      this.sendError(
        "bus_unavailable",
        `Could not join room "${frame.room}"; try again`,
        undefined,
        frame.room,
      );
    }
  }

  async #leave(frame: LeaveFrame): Promise<void> {
    const member = this.#rooms.get(frame.room);
    if (!member) {
      this.sendError(
        "not_in_room",
        `You are not in room "${frame.room}"`,
        undefined,
        frame.room,
      );
      return;
    }
    this.#rooms.delete(frame.room);
    try {
      await this.#context.hub?.leave(frame.room, member);
    } catch (error) {
      this.#context.logger.warn("room_leave_failed", {
        connection: this.id,
        room: frame.room,
        error,
      });
    }
    this.send({ type: "left", room: frame.room });
  }

  async #seriesFrame(frame: SeriesFrame): Promise<void> {
    const factory = this.#context.series;
    if (!factory) {
      this.sendError(
        "unknown_type",
        "Forecast series are not available on this server",
        frame.id,
      );
      return;
    }
    this.#series ??= factory({
      send: (out) => void this.send(out),
      sendError: (code, message, id) => this.sendError(code, message, id),
      signal: this.#abort.signal,
      owner: this.id,
    });
    try {
      await this.#series.handle(frame);
    } catch (error) {
      if (this.#abort.signal.aborted) return;
      this.#context.logger.warn("series_failed", {
        connection: this.id,
        error,
      });
      this.sendError(
        "processing_failed",
        `Forecast failed: ${error instanceof Error ? error.message : error}`,
        frame.id,
      );
    }
  }
}
