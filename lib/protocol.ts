/**
 * The `/ws` wire protocol: frame types and the one validator shared by the
 * server and the islands. See docs/protocol.md for the prose version.
 *
 * This module is browser-safe: it imports nothing and touches no Deno API.
 *
 * @module
 */

/** The protocol version this module speaks. */
export const PROTOCOL_VERSION = 1;

/** Stable error codes sent in `error` frames. */
export type ErrorCode =
  | "bad_json"
  | "bad_frame"
  | "binary_unsupported"
  | "unknown_type"
  | "invalid_field"
  | "text_empty"
  | "text_too_long"
  | "unknown_processor"
  | "too_many_in_flight"
  | "rate_limited"
  | "invalid_name"
  | "not_in_room"
  | "unknown_series"
  | "series_too_long"
  | "bad_point"
  | "processing_failed"
  | "bus_unavailable"
  | "shutting_down";

/** WebSocket close codes the server uses. */
export const CLOSE_CODES = {
  normal: 1000,
  goingAway: 1001,
  policyViolation: 1008,
  abnormal: 1006,
  tooBig: 1009,
  internalError: 1011,
  tryAgainLater: 1013,
} as const;

// ---------------------------------------------------------------- client → server

/** The seed tutorial's frame: `{"message": "..."}` with no `type`. */
export interface SeedMessage {
  type: "seed";
  text: string;
}

/** Opens the typed protocol; answered by `welcome`. */
export interface HelloFrame {
  type: "hello";
  protocol: number;
  client?: string;
}

/** A message to process, optionally posted to a joined room. */
export interface SendFrame {
  type: "send";
  id: string;
  text: string;
  processor?: string;
  room?: string;
}

/** App-level keep-alive; answered by `pong`. */
export interface PingFrame {
  type: "ping";
  t?: number;
}

/** Joins a room, optionally resuming after sequence `since`. */
export interface JoinFrame {
  type: "join";
  room: string;
  name: string;
  since?: number;
}

/** Leaves a joined room. */
export interface LeaveFrame {
  type: "leave";
  room: string;
}

/** Opens a forecast series subscription. */
export interface SeriesOpenFrame {
  type: "series_open";
  id: string;
  horizon?: number;
  level?: number;
}

/** Appends points to an open series. */
export interface SeriesPointsFrame {
  type: "series_points";
  id: string;
  points: number[];
}

/** Closes a series subscription and frees its state. */
export interface SeriesCloseFrame {
  type: "series_close";
  id: string;
}

/** Every frame a client may send, after validation. */
export type ClientFrame =
  | SeedMessage
  | HelloFrame
  | SendFrame
  | PingFrame
  | JoinFrame
  | LeaveFrame
  | SeriesOpenFrame
  | SeriesPointsFrame
  | SeriesCloseFrame;

// ---------------------------------------------------------------- server → client

/** Limits the server enforces, announced in `welcome`. */
export interface Limits {
  maxFrameBytes: number;
  maxTextLength: number;
  maxInFlight: number;
  ratePerSecond: number;
  rateBurst: number;
  heartbeatMs: number;
}

/** Answer to `hello`. */
export interface WelcomeFrame {
  type: "welcome";
  protocol: number;
  server: string;
  connectionId: string;
  limits: Limits;
  processors: string[];
}

/** The server accepted message `id` and is processing it. */
export interface AckFrame {
  type: "ack";
  id: string;
}

/** The processed result of message `id` (also the seed's reply shape). */
export interface ResultFrame {
  type: "result";
  id: string;
  message: string;
  time: string;
  processor: string;
  elapsedMs: number;
}

/** Something went wrong; `id` ties it to a message when known. */
export interface ErrorFrame {
  type: "error";
  code: ErrorCode;
  message: string;
  time: string;
  id?: string;
  /** The room a `join` or `leave` error concerns (those frames have no id). */
  room?: string;
}

/** Answer to `ping`. */
export interface PongFrame {
  type: "pong";
  t?: number;
}

/** One message in a room, as stored in history and fanned out. */
export interface RoomMessage {
  room: string;
  seq: number;
  id: string;
  from: string;
  text: string;
  message: string;
  time: string;
  processor: string;
}

/** Answer to `join`: what the client missed, oldest first. */
export interface JoinedFrame {
  type: "joined";
  room: string;
  name: string;
  seq: number;
  history: RoomMessage[];
  online: number;
}

/** A live room message. */
export interface MessageFrame extends RoomMessage {
  type: "message";
}

/** How many are online in a room, sent on every change. */
export interface PresenceFrame {
  type: "presence";
  room: string;
  online: number;
}

/** Answer to `leave`. */
export interface LeftFrame {
  type: "left";
  room: string;
}

/** Answer to `series_open`. */
export interface SeriesOpenedFrame {
  type: "series_opened";
  id: string;
  horizon: number;
  level: number;
}

/** A fresh forecast after a batch of points. */
export interface ForecastFrame {
  type: "forecast";
  id: string;
  n: number;
  method: string;
  forecast: number[];
  lower: number[];
  upper: number[];
  level: number;
  elapsedMs: number;
}

/** Answer to `series_close`. */
export interface SeriesClosedFrame {
  type: "series_closed";
  id: string;
}

/** Every frame the server may send. */
export type ServerFrame =
  | WelcomeFrame
  | AckFrame
  | ResultFrame
  | ErrorFrame
  | PongFrame
  | JoinedFrame
  | MessageFrame
  | PresenceFrame
  | LeftFrame
  | SeriesOpenedFrame
  | ForecastFrame
  | SeriesClosedFrame;

// ---------------------------------------------------------------- validation

/** Bounds the validator checks against; the server passes its configuration. */
export interface ValidationLimits {
  maxTextLength: number;
  maxPointsPerFrame: number;
}

/** Defaults matching the server's default configuration. */
export const DEFAULT_VALIDATION_LIMITS: ValidationLimits = {
  maxTextLength: 2000,
  maxPointsPerFrame: 1000,
};

/** A frame that failed validation, with the code and text to send back. */
export interface ProtocolError {
  ok: false;
  code: ErrorCode;
  message: string;
  id?: string;
}

/** The outcome of parsing one client frame. */
export type ParseResult<T> = { ok: true; frame: T } | ProtocolError;

const ROOM_NAME = /^[A-Za-z0-9._-]{1,32}$/;
const DISPLAY_NAME = /^[\p{L}\p{N} ._-]{1,32}$/u;
const ID_MAX = 64;

/** Whether `room` is a valid room name (1–32 of letters, digits, `.`, `_`, `-`). */
export function isValidRoomName(room: string): boolean {
  return ROOM_NAME.test(room);
}

/** Whether `name` is a valid display name (1–32 letters, digits, spaces, `.`, `_`, `-`; not blank). */
export function isValidDisplayName(name: string): boolean {
  return DISPLAY_NAME.test(name) && name.trim().length > 0;
}

/** Formats a date as the seed's `HH:MM:SS` (local time, 24-hour, zero-padded). */
export function formatTime(date: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${
    pad(date.getSeconds())
  }`;
}

class FieldError extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
  }
}

type Fields = Record<string, unknown>;

function optionalString(frame: Fields, key: string): string | undefined {
  const value = frame[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string") {
    throw new FieldError("invalid_field", `"${key}" must be a string`);
  }
  return value;
}

function requiredString(frame: Fields, key: string): string {
  const value = optionalString(frame, key);
  if (value === undefined) {
    throw new FieldError("invalid_field", `"${key}" is required`);
  }
  return value;
}

function requiredId(frame: Fields): string {
  const id = requiredString(frame, "id");
  if (id.length === 0 || id.length > ID_MAX) {
    throw new FieldError(
      "invalid_field",
      `"id" must be 1 to ${ID_MAX} characters`,
    );
  }
  return id;
}

function optionalNumber(
  frame: Fields,
  key: string,
  min: number,
  max: number,
): number | undefined {
  const value = frame[key];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new FieldError("invalid_field", `"${key}" must be a number`);
  }
  if (value < min || value > max) {
    throw new FieldError(
      "invalid_field",
      `"${key}" must be between ${min} and ${max}`,
    );
  }
  return value;
}

function checkedText(text: string, limits: ValidationLimits): string {
  if (text.trim().length === 0) {
    throw new FieldError("text_empty", "The message is empty");
  }
  if (text.length > limits.maxTextLength) {
    throw new FieldError(
      "text_too_long",
      `The message is longer than ${limits.maxTextLength} characters`,
    );
  }
  return text;
}

function roomName(frame: Fields): string {
  const room = requiredString(frame, "room");
  if (!isValidRoomName(room)) {
    throw new FieldError(
      "invalid_name",
      "Room names are 1 to 32 letters, digits, '.', '_' or '-'",
    );
  }
  return room;
}

function validateFields(frame: Fields, limits: ValidationLimits): ClientFrame {
  const type = frame.type;
  if (type === undefined) {
    if (!("message" in frame)) {
      throw new FieldError(
        "unknown_type",
        'A frame needs a "type", or a "message" in the seed format',
      );
    }
    const text = requiredString(frame, "message");
    return { type: "seed", text: checkedText(text, limits) };
  }
  if (typeof type !== "string") {
    throw new FieldError("invalid_field", '"type" must be a string');
  }
  switch (type) {
    case "hello": {
      const protocol = frame.protocol;
      if (typeof protocol !== "number" || !Number.isInteger(protocol)) {
        throw new FieldError("invalid_field", '"protocol" must be an integer');
      }
      return { type, protocol, client: optionalString(frame, "client") };
    }
    case "send": {
      const id = requiredId(frame);
      const text = checkedText(requiredString(frame, "text"), limits);
      const processor = optionalString(frame, "processor");
      const room = frame.room === undefined ? undefined : roomName(frame);
      return { type, id, text, processor, room };
    }
    case "ping":
      return { type, t: optionalNumber(frame, "t", -Infinity, Infinity) };
    case "join": {
      const room = roomName(frame);
      const name = requiredString(frame, "name");
      if (!isValidDisplayName(name)) {
        throw new FieldError(
          "invalid_name",
          "Display names are 1 to 32 letters, digits, spaces, '.', '_' or '-'",
        );
      }
      const since = optionalNumber(frame, "since", 0, Number.MAX_SAFE_INTEGER);
      if (since !== undefined && !Number.isInteger(since)) {
        throw new FieldError("invalid_field", '"since" must be an integer');
      }
      return { type, room, name, since };
    }
    case "leave":
      return { type, room: roomName(frame) };
    case "series_open":
      return {
        type,
        id: requiredId(frame),
        horizon: optionalNumber(frame, "horizon", 1, 50),
        level: optionalNumber(frame, "level", 0.5, 0.99),
      };
    case "series_points": {
      const id = requiredId(frame);
      const points = frame.points;
      if (!Array.isArray(points) || points.length === 0) {
        throw new FieldError(
          "invalid_field",
          '"points" must be a non-empty array',
        );
      }
      if (points.length > limits.maxPointsPerFrame) {
        throw new FieldError(
          "invalid_field",
          `At most ${limits.maxPointsPerFrame} points per frame`,
        );
      }
      for (const point of points) {
        if (typeof point !== "number" || !Number.isFinite(point)) {
          throw new FieldError(
            "bad_point",
            `Points must be finite numbers; got ${JSON.stringify(point)}`,
          );
        }
      }
      return { type, id, points: points as number[] };
    }
    case "series_close":
      return { type, id: requiredId(frame) };
    default:
      throw new FieldError(
        "unknown_type",
        `Unknown frame type ${JSON.stringify(type).slice(0, 40)}`,
      );
  }
}

/** Validates an already-decoded JSON value as a client frame. */
export function validateClientFrame(
  value: unknown,
  limits: ValidationLimits = DEFAULT_VALIDATION_LIMITS,
): ParseResult<ClientFrame> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {
      ok: false,
      code: "bad_frame",
      message: "A frame must be a JSON object",
    };
  }
  const fields = value as Fields;
  try {
    return { ok: true, frame: validateFields(fields, limits) };
  } catch (error) {
    if (!(error instanceof FieldError)) throw error;
    const id = typeof fields.id === "string" && fields.id.length > 0 &&
        fields.id.length <= ID_MAX
      ? fields.id
      : undefined;
    return { ok: false, code: error.code, message: error.message, id };
  }
}

/** Decodes and validates one text frame from a client. */
export function parseClientFrame(
  text: string,
  limits: ValidationLimits = DEFAULT_VALIDATION_LIMITS,
): ParseResult<ClientFrame> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: "bad_json", message: "The frame is not JSON" };
  }
  return validateClientFrame(value, limits);
}

const SERVER_TYPES = new Set<ServerFrame["type"]>([
  "welcome",
  "ack",
  "result",
  "error",
  "pong",
  "joined",
  "message",
  "presence",
  "left",
  "series_opened",
  "forecast",
  "series_closed",
]);

/**
 * Decodes a frame from the server, for clients. It checks the envelope only
 * (an object with a known `type`); the server is trusted for the rest.
 * Returns `undefined` for anything else.
 */
export function parseServerFrame(text: string): ServerFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return undefined;
  }
  const type = (value as { type?: unknown }).type;
  return typeof type === "string" &&
      SERVER_TYPES.has(type as ServerFrame["type"])
    ? value as ServerFrame
    : undefined;
}

/** Builds an error frame (it carries `message` and `time`, so seed clients can show it). */
export function errorFrame(
  code: ErrorCode,
  message: string,
  id?: string,
  room?: string,
): ErrorFrame {
  const frame: ErrorFrame = {
    type: "error",
    code,
    message,
    time: formatTime(),
  };
  if (id !== undefined) frame.id = id;
  if (room !== undefined) frame.room = room;
  return frame;
}
