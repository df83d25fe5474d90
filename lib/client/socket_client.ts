/**
 * The browser side of `/ws`: one WebSocket, kept alive across drops.
 *
 * A framework-free module (no Preact, no DOM beyond `WebSocket` and
 * `location`), so every island can share it and it can be tested alone with
 * a fake socket. State changes are published through plain callbacks
 * (`on(event, fn)`); `lib/client/*_store.ts` turn them into Preact signals
 * for the islands.
 *
 * What it adds on top of a bare socket:
 * - reconnects with exponential backoff and full jitter, unless the user
 *   called `disconnect()`;
 * - `hello` on every open, keeping the `welcome` (limits, processors);
 * - an app-level `ping` every 15 s; a missing `pong` counts as a dead link;
 * - `send()` returns a client-chosen id and tracks the message through
 *   `queued → pending → processing → done | failed`. Messages sent while
 *   offline are queued and flushed in order on the next open. Messages in
 *   flight when the link drops are re-queued: the server cancels unfinished
 *   jobs on close, so their results would never come;
 * - rooms: re-joins with `since: lastSeq` after a drop and ignores any `seq`
 *   it already has, so a room shows no gap and no duplicate;
 * - `sendNow()` writes a frame only if the link is open, for callers that
 *   resend their own state on every `welcome` (the forecast series do).
 *
 * @module
 */

import {
  type AckFrame,
  type ErrorCode,
  type ErrorFrame,
  type ForecastFrame,
  type JoinedFrame,
  type LeftFrame,
  type MessageFrame,
  parseServerFrame,
  type PresenceFrame,
  PROTOCOL_VERSION,
  type ResultFrame,
  type RoomMessage,
  type SeriesClosedFrame,
  type SeriesCloseFrame,
  type SeriesOpenedFrame,
  type SeriesOpenFrame,
  type SeriesPointsFrame,
  type ServerFrame,
  type WelcomeFrame,
} from "../protocol.ts";

/** The connection states a client goes through. */
export type ConnectionState = "connecting" | "open" | "reconnecting" | "closed";

/** What the UI needs to show the connection. */
export interface ConnectionSnapshot {
  state: ConnectionState;
  /** Consecutive failed attempts since the last `welcome`. */
  attempt: number;
  /** When the next attempt starts (epoch ms), while `reconnecting`. */
  nextRetryAt: number | null;
  /** The last `welcome` received (kept across drops). */
  welcome: WelcomeFrame | null;
  /** Close code and reason of the last drop, if any. */
  lastClose: { code: number; reason: string } | null;
}

/** Where a sent message is. */
export type MessageStatus =
  | "queued"
  | "pending"
  | "processing"
  | "done"
  | "failed";

/** A message sent through `send()`, as the client tracks it. */
export interface TrackedMessage {
  readonly id: string;
  readonly text: string;
  readonly processor?: string;
  readonly room?: string;
  readonly status: MessageStatus;
  /** When `send()` was called (epoch ms). */
  readonly createdAt: number;
  /** When it last went on the wire (epoch ms). */
  readonly sentAt?: number;
  /** How many times it went on the wire (more than 1 after a drop). */
  readonly transmissions: number;
  /** The processed text, once `done`. */
  readonly result?: string;
  /** The server's `HH:MM:SS`, once `done` (or `failed` by the server). */
  readonly time?: string;
  /** Server-side processing time, when the server reports it. */
  readonly elapsedMs?: number;
  /** The room sequence number, for room messages once `done`. */
  readonly seq?: number;
  /** Why it failed. */
  readonly error?: { code: ErrorCode | "left_room"; message: string };
}

/** Options for `send()`. */
export interface SendOptions {
  processor?: string;
  room?: string;
}

/** The events `on()` accepts, with their payloads. */
export interface SocketClientEvents {
  /** Any change of the connection snapshot. */
  state: ConnectionSnapshot;
  /** Any status change of a message sent with `send()`. */
  outgoing: TrackedMessage;
  welcome: WelcomeFrame;
  ack: AckFrame;
  result: ResultFrame;
  /** A room message seen for the first time (history or live), in seq order. */
  message: RoomMessage;
  joined: JoinedFrame;
  presence: PresenceFrame;
  left: LeftFrame;
  forecast: ForecastFrame;
  series_opened: SeriesOpenedFrame;
  series_closed: SeriesClosedFrame;
  error: ErrorFrame;
  /** Every frame received, before the typed events. */
  frame: ServerFrame;
}

/** The part of the WebSocket API the client uses (a fake can implement it). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** A constructor of WebSocket-like objects. */
export type WebSocketFactory = new (url: string) => WebSocketLike;

/** The timer functions the client uses (injectable for tests). */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Construction options; every one has a sensible default. */
export interface SocketClientOptions {
  /** Full `ws:`/`wss:` URL; defaults to `/ws` on the page's own host. */
  url?: string;
  WebSocket?: WebSocketFactory;
  random?: () => number;
  now?: () => number;
  timers?: Timers;
  /** Ceiling of the first retry delay (ms). */
  initialDelayMs?: number;
  /** Largest retry delay (ms). */
  maxDelayMs?: number;
  /** Interval between app-level pings while open (ms). */
  pingIntervalMs?: number;
  /** How long to wait for a `pong` before declaring the link dead (ms). */
  pongTimeoutMs?: number;
  /** How long a socket may stay in CONNECTING before it is abandoned (ms). */
  connectTimeoutMs?: number;
  /** Sent in `hello` as `client`. */
  clientName?: string;
  /** Makes message ids; defaults to `crypto.randomUUID()` or a fallback. */
  newId?: () => string;
}

/** Default timing, in milliseconds. */
export const DEFAULTS = {
  initialDelayMs: 500,
  maxDelayMs: 15_000,
  pingIntervalMs: 15_000,
  pongTimeoutMs: 10_000,
  connectTimeoutMs: 10_000,
} as const;

/** Close code the client uses when it gives up on a silent connection. */
export const CLOSE_DEAD_LINK = 4000;

/**
 * Delay before retry number `attempt` (0-based): "full jitter", a uniform
 * draw from `[0, min(maxMs, initialMs * 2^attempt))`, so many clients that
 * dropped together do not come back together.
 */
export function backoffDelay(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

/** The `/ws` URL for a page location: `wss:` under `https:`, else `ws:`. */
export function socketUrlFor(
  location: { protocol: string; host: string },
  path = "/ws",
): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

/**
 * A random message id (96 bits, hex). `crypto.getRandomValues` works in every
 * context, unlike `crypto.randomUUID`, which plain-http pages lack.
 */
export function newMessageId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const WS_OPEN = 1;

interface RoomState {
  name: string;
  /** Every seq up to here is had (history covers it, or it is older than what we asked for). */
  floor: number;
  /** Seqs above `floor` already seen. */
  seen: Set<number>;
  /** Joined at least once, so `floor` is meaningful even when 0. */
  everJoined: boolean;
  joinedHere: boolean;
  online: number;
  /** Failed joins in a row on this connection (for the retry backoff). */
  joinFailures: number;
}

type TimerName = "retry" | "connect" | "ping" | "pong" | `join:${string}`;

interface MutableMessage {
  id: string;
  text: string;
  processor?: string;
  room?: string;
  status: MessageStatus;
  createdAt: number;
  sentAt?: number;
  transmissions: number;
  result?: string;
  time?: string;
  elapsedMs?: number;
  seq?: number;
  error?: { code: ErrorCode | "left_room"; message: string };
}

type Listener<K extends keyof SocketClientEvents> = (
  payload: SocketClientEvents[K],
) => void;

/** One resilient connection to `/ws`. Create it in an effect, never during SSR. */
export class SocketClient {
  readonly #url: string;
  readonly #WebSocket: WebSocketFactory;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #timers: Timers;
  readonly #opts: Required<
    Pick<
      SocketClientOptions,
      | "initialDelayMs"
      | "maxDelayMs"
      | "pingIntervalMs"
      | "pongTimeoutMs"
      | "connectTimeoutMs"
    >
  >;
  readonly #clientName: string;
  readonly #newId: () => string;

  #ws: WebSocketLike | null = null;
  #wanted = false;
  #state: ConnectionState = "closed";
  #attempt = 0;
  #nextRetryAt: number | null = null;
  #welcome: WelcomeFrame | null = null;
  #lastClose: { code: number; reason: string } | null = null;

  /** Pending timer handles by purpose; at most one of each. */
  readonly #pendingTimers = new Map<TimerName, unknown>();

  /** Unsettled messages, in the order `send()` was called. */
  readonly #messages = new Map<string, MutableMessage>();
  readonly #rooms = new Map<string, RoomState>();
  readonly #listeners = new Map<string, Set<(payload: never) => void>>();

  constructor(options: SocketClientOptions = {}) {
    if (options.url === undefined && globalThis.location === undefined) {
      throw new Error("SocketClient needs a url when there is no location");
    }
    this.#url = options.url ?? socketUrlFor(globalThis.location);
    this.#WebSocket = options.WebSocket ??
      (globalThis.WebSocket as unknown as WebSocketFactory);
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
    this.#timers = options.timers ?? {
      setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
      clearTimeout: (handle) =>
        globalThis.clearTimeout(handle as number | undefined),
    };
    this.#opts = {
      initialDelayMs: options.initialDelayMs ?? DEFAULTS.initialDelayMs,
      maxDelayMs: options.maxDelayMs ?? DEFAULTS.maxDelayMs,
      pingIntervalMs: options.pingIntervalMs ?? DEFAULTS.pingIntervalMs,
      pongTimeoutMs: options.pongTimeoutMs ?? DEFAULTS.pongTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
    };
    this.#clientName = options.clientName ?? "web";
    this.#newId = options.newId ?? newMessageId;
  }

  // ------------------------------------------------------------ public API

  /** The URL this client connects to. */
  get url(): string {
    return this.#url;
  }

  /** The current connection snapshot (a fresh object). */
  get snapshot(): ConnectionSnapshot {
    return {
      state: this.#state,
      attempt: this.#attempt,
      nextRetryAt: this.#nextRetryAt,
      welcome: this.#welcome,
      lastClose: this.#lastClose,
    };
  }

  /** Messages not yet settled, in send order. */
  get unsettled(): TrackedMessage[] {
    return [...this.#messages.values()].map((m) => ({ ...m }));
  }

  /** The room's online count as last reported, or 0. */
  online(room: string): number {
    return this.#rooms.get(room)?.online ?? 0;
  }

  /** The highest room seq this client has, or undefined before any. */
  lastSeq(room: string): number | undefined {
    const state = this.#rooms.get(room);
    return state ? lastSeqOf(state) : undefined;
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof SocketClientEvents>(
    event: K,
    fn: Listener<K>,
  ): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, set = new Set());
    set.add(fn as (payload: never) => void);
    return () => set.delete(fn as (payload: never) => void);
  }

  /** Opens the connection (now, even if a retry was scheduled) and keeps it open. */
  connect(): void {
    this.#wanted = true;
    if (this.#state === "open" || this.#state === "connecting") return;
    this.#clearTimer("retry");
    this.#open();
  }

  /** Closes the connection and stops reconnecting until `connect()`. Queued messages stay queued. */
  disconnect(): void {
    this.#wanted = false;
    this.#clearTimer("retry");
    this.#nextRetryAt = null;
    if (this.#ws) {
      this.#teardown(1000, "client disconnect");
      this.#lastClose = { code: 1000, reason: "client disconnect" };
    }
    this.#setState("closed");
  }

  /** Disconnects and drops every listener. */
  destroy(): void {
    this.disconnect();
    this.#listeners.clear();
  }

  /**
   * Sends `text` for processing (into `room` when given) and returns its id.
   * While not connected the message is queued and goes out, once, on the
   * next open (for a room: once the room is re-joined).
   */
  send(text: string, options: SendOptions = {}): string {
    if (text.trim().length === 0) {
      throw new TypeError("Cannot send an empty message");
    }
    const message: MutableMessage = {
      id: this.#newId(),
      text,
      processor: options.processor,
      room: options.room,
      status: "queued",
      createdAt: this.#now(),
      transmissions: 0,
    };
    this.#messages.set(message.id, message);
    if (this.#canTransmit(message)) this.#transmit(message);
    else this.#emitOutgoing(message);
    return message.id;
  }

  /** Joins `room` as `name`; re-joined automatically (with `since`) after every drop. */
  join(room: string, name: string): void {
    const existing = this.#rooms.get(room);
    if (existing) existing.name = name;
    else {
      this.#rooms.set(room, {
        name,
        floor: 0,
        seen: new Set(),
        everJoined: false,
        joinedHere: false,
        online: 0,
        joinFailures: 0,
      });
    }
    if (this.#isOpen()) this.#sendJoin(room);
  }

  /** Leaves `room`; its queued messages fail with `left_room`. */
  leave(room: string): void {
    if (!this.#rooms.delete(room)) return;
    this.#clearTimer(`join:${room}`);
    for (const message of [...this.#messages.values()]) {
      if (message.room === room && message.status === "queued") {
        this.#settle(message, {
          status: "failed",
          error: { code: "left_room", message: `Left room ${room}` },
        });
      }
    }
    if (this.#isOpen()) this.#write({ type: "leave", room });
  }

  /**
   * Writes a frame if the link is open and returns whether it did. Nothing is
   * queued: the caller resends what it needs after the next `welcome`.
   */
  sendNow(
    frame: SeriesOpenFrame | SeriesPointsFrame | SeriesCloseFrame,
  ): boolean {
    if (!this.#isOpen()) return false;
    this.#write(frame);
    return true;
  }

  // ------------------------------------------------------------ connection

  #open(): void {
    this.#nextRetryAt = null;
    this.#setState("connecting");
    let ws: WebSocketLike;
    try {
      ws = new this.#WebSocket(this.#url);
    } catch (error) {
      this.#lastClose = { code: 1006, reason: String(error) };
      this.#scheduleRetry();
      return;
    }
    this.#ws = ws;
    ws.onopen = () => this.#onOpen();
    ws.onmessage = (event) => this.#onFrame(event.data);
    ws.onclose = (event) => this.#drop(event.code, event.reason);
    ws.onerror = () => {}; // a close event always follows
    this.#startTimer(
      "connect",
      this.#opts.connectTimeoutMs,
      () => this.#drop(CLOSE_DEAD_LINK, "connect timeout"),
    );
  }

  #onOpen(): void {
    this.#clearTimer("connect");
    this.#setState("open");
    this.#write({
      type: "hello",
      protocol: PROTOCOL_VERSION,
      client: this.#clientName,
    });
    for (const room of this.#rooms.keys()) this.#sendJoin(room);
    this.#flush();
    this.#schedulePing();
  }

  /** The link is gone (or declared dead): clean up and maybe retry. */
  #drop(code: number, reason: string): void {
    this.#lastClose = { code, reason };
    this.#teardown(CLOSE_DEAD_LINK, reason);
    if (this.#wanted) this.#scheduleRetry();
    else this.#setState("closed");
  }

  /** Detaches and closes the socket; re-queues what was in flight. */
  #teardown(code: number, reason: string): void {
    const ws = this.#ws;
    this.#ws = null;
    for (const name of ["connect", "ping", "pong"] as const) {
      this.#clearTimer(name);
    }
    if (ws) {
      ws.onopen =
        ws.onmessage =
        ws.onclose =
        ws.onerror =
          null;
      try {
        if (ws.readyState <= WS_OPEN) ws.close(code, reason);
      } catch {
        // closing an already broken socket may throw; it is gone either way
      }
    }
    for (const [name, room] of this.#rooms) {
      room.joinedHere = false;
      room.joinFailures = 0;
      this.#clearTimer(`join:${name}`); // every room is joined again on open
    }
    for (const message of this.#messages.values()) {
      if (message.status === "pending" || message.status === "processing") {
        message.status = "queued";
        this.#emitOutgoing(message);
      }
    }
  }

  #scheduleRetry(): void {
    const delay = backoffDelay(
      this.#attempt,
      this.#opts.initialDelayMs,
      this.#opts.maxDelayMs,
      this.#random,
    );
    this.#attempt += 1;
    this.#nextRetryAt = this.#now() + delay;
    this.#setState("reconnecting");
    this.#startTimer("retry", delay, () => this.#open());
  }

  #schedulePing(): void {
    this.#startTimer("ping", this.#opts.pingIntervalMs, () => {
      if (!this.#isOpen()) return;
      this.#write({ type: "ping", t: this.#now() });
      if (!this.#pendingTimers.has("pong")) {
        this.#startTimer(
          "pong",
          this.#opts.pongTimeoutMs,
          () => this.#drop(CLOSE_DEAD_LINK, "no pong"),
        );
      }
      this.#schedulePing();
    });
  }

  // ------------------------------------------------------------ frames in

  #onFrame(data: unknown): void {
    if (typeof data !== "string") return;
    const frame = parseServerFrame(data);
    if (!frame) return;
    this.#emit("frame", frame);
    switch (frame.type) {
      case "welcome":
        this.#welcome = frame;
        this.#attempt = 0;
        this.#emit("welcome", frame);
        this.#emitState();
        break;
      case "ack": {
        const message = this.#messages.get(frame.id);
        if (message?.status === "pending") {
          message.status = "processing";
          this.#emitOutgoing(message);
        }
        this.#emit("ack", frame);
        break;
      }
      case "result": {
        const message = this.#messages.get(frame.id);
        if (message && !message.room) {
          this.#settle(message, {
            status: "done",
            result: frame.message,
            time: frame.time,
            elapsedMs: frame.elapsedMs,
          });
        }
        this.#emit("result", frame);
        break;
      }
      case "error": {
        const message = frame.id ? this.#messages.get(frame.id) : undefined;
        if (message && message.status !== "queued") {
          this.#settle(message, {
            status: "failed",
            time: frame.time,
            error: { code: frame.code, message: frame.message },
          });
        }
        if (frame.room !== undefined && frame.code === "bus_unavailable") {
          this.#retryJoin(frame.room);
        }
        this.#emit("error", frame);
        break;
      }
      case "pong":
        this.#clearTimer("pong");
        break;
      case "joined":
        this.#onJoined(frame);
        break;
      case "message":
        this.#onRoomMessage(stripType(frame));
        break;
      case "presence": {
        const room = this.#rooms.get(frame.room);
        if (room) room.online = frame.online;
        this.#emit("presence", frame);
        break;
      }
      default:
        // left, series_opened, forecast, series_closed: no client state to
        // update, so they go to their listeners as they are.
        this.#emit(frame.type, frame as never);
    }
  }

  #onJoined(frame: JoinedFrame): void {
    const room = this.#rooms.get(frame.room);
    if (!room) return; // left meanwhile
    const last = lastSeqOf(room);
    if (last !== undefined && frame.seq < last) {
      // The server's log restarted below what we have seen (a Redis or KV
      // store without persistence was reset): our seqs mean nothing there.
      // Forget them and join afresh for the latest history.
      room.floor = 0;
      room.seen.clear();
      room.everJoined = false;
      this.#sendJoin(frame.room);
      return;
    }
    room.joinedHere = true;
    room.joinFailures = 0;
    room.everJoined = true;
    room.online = frame.online;
    this.#emit("joined", frame);
    for (const message of frame.history) this.#onRoomMessage(message);
    // Anything at or below the room's seq at join time is either in this
    // history or older than what we asked for.
    raiseFloor(room, frame.seq);
    this.#emit("presence", {
      type: "presence",
      room: frame.room,
      online: frame.online,
    });
    this.#flush(frame.room);
  }

  #onRoomMessage(message: RoomMessage): void {
    const room = this.#rooms.get(message.room);
    const mine = this.#messages.get(message.id);
    if (mine && mine.room === message.room) {
      this.#settle(mine, {
        status: "done",
        result: message.message,
        time: message.time,
        seq: message.seq,
      });
    }
    if (!room) return;
    if (message.seq <= room.floor || room.seen.has(message.seq)) return;
    room.seen.add(message.seq);
    compactSeen(room);
    this.#emit("message", message);
  }

  // ------------------------------------------------------------ frames out

  #isOpen(): boolean {
    return this.#state === "open" && this.#ws !== null &&
      this.#ws.readyState === WS_OPEN;
  }

  /** Room messages wait for the room's `joined` on this connection. */
  #canTransmit(message: MutableMessage): boolean {
    if (!this.#isOpen()) return false;
    if (message.room === undefined) return true;
    const room = this.#rooms.get(message.room);
    return room === undefined || room.joinedHere;
  }

  /** Sends queued messages, oldest first; only those for `room` when given. */
  #flush(room?: string): void {
    for (const message of [...this.#messages.values()]) {
      if (message.status !== "queued") continue;
      if (room !== undefined && message.room !== room) continue;
      if (this.#canTransmit(message)) this.#transmit(message);
    }
  }

  #transmit(message: MutableMessage): void {
    this.#write({
      type: "send",
      id: message.id,
      text: message.text,
      ...(message.processor ? { processor: message.processor } : {}),
      ...(message.room ? { room: message.room } : {}),
    });
    message.status = "pending";
    message.sentAt = this.#now();
    message.transmissions += 1;
    this.#emitOutgoing(message);
  }

  /** The server could not join us (its shared bus is down): try again later. */
  #retryJoin(roomName: string): void {
    const room = this.#rooms.get(roomName);
    if (!room || room.joinedHere) return;
    const delay = backoffDelay(
      room.joinFailures++,
      this.#opts.initialDelayMs,
      this.#opts.maxDelayMs,
      this.#random,
    );
    this.#startTimer(`join:${roomName}`, delay, () => {
      if (this.#isOpen()) this.#sendJoin(roomName);
    });
  }

  #sendJoin(roomName: string): void {
    const room = this.#rooms.get(roomName);
    if (!room) return;
    const since = lastSeqOf(room);
    this.#write(
      since === undefined
        ? { type: "join", room: roomName, name: room.name }
        : { type: "join", room: roomName, name: room.name, since },
    );
  }

  #write(frame: object): void {
    this.#ws?.send(JSON.stringify(frame));
  }

  // ------------------------------------------------------------ helpers

  #settle(message: MutableMessage, update: Partial<MutableMessage>): void {
    Object.assign(message, update);
    this.#messages.delete(message.id);
    this.#emitOutgoing(message);
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    this.#emitState();
  }

  #emitState(): void {
    this.#emit("state", this.snapshot);
  }

  #emitOutgoing(message: MutableMessage): void {
    this.#emit("outgoing", { ...message });
  }

  #emit<K extends keyof SocketClientEvents>(
    event: K,
    payload: SocketClientEvents[K],
  ): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as Listener<K>)(payload);
      } catch (error) {
        // one broken listener must not stop the others or the socket
        console.error(`socket_client: "${event}" listener threw`, error);
      }
    }
  }

  #startTimer(name: TimerName, ms: number, fn: () => void): void {
    this.#clearTimer(name);
    const handle = this.#timers.setTimeout(() => {
      this.#pendingTimers.delete(name);
      fn();
    }, ms);
    this.#pendingTimers.set(name, handle);
  }

  #clearTimer(name: TimerName): void {
    if (!this.#pendingTimers.has(name)) return;
    this.#timers.clearTimeout(this.#pendingTimers.get(name));
    this.#pendingTimers.delete(name);
  }
}

function stripType(frame: MessageFrame): RoomMessage {
  const { type: _type, ...message } = frame;
  return message;
}

function lastSeqOf(room: RoomState): number | undefined {
  if (!room.everJoined && room.seen.size === 0) return undefined;
  let last = room.floor;
  for (const seq of room.seen) if (seq > last) last = seq;
  return last;
}

function raiseFloor(room: RoomState, seq: number): void {
  if (seq <= room.floor) return;
  room.floor = seq;
  for (const s of room.seen) if (s <= seq) room.seen.delete(s);
}

/** Keeps `seen` small: once it holds a contiguous run above the floor, fold it in. */
function compactSeen(room: RoomState): void {
  while (room.seen.has(room.floor + 1)) {
    room.seen.delete(room.floor + 1);
    room.floor += 1;
  }
}
