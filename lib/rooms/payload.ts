/**
 * The strings that travel on the bus. Each is an already-encoded server frame
 * behind a short header, so a process reads the seq (or online count) without
 * parsing JSON and hands the same string to every local member:
 *
 * - `m<seq> {"type":"message","seq":<seq>,"room":...}`
 * - `p<online> {"type":"presence","room":...,"online":<online>}`
 *
 * @module
 */

import type { RoomMessage } from "../protocol.ts";
import type { MessageDraft } from "./types.ts";

/** A decoded bus payload. */
export type BusPayload =
  | { kind: "message"; seq: number; frame: string }
  | { kind: "presence"; online: number; frame: string };

/** JSON of a message without its seq, in a fixed key order. */
export function encodeDraft(room: string, draft: MessageDraft): string {
  return JSON.stringify({
    room,
    id: draft.id,
    from: draft.from,
    text: draft.text,
    message: draft.message,
    time: draft.time,
    processor: draft.processor,
  });
}

/** The stored JSON of a message: `encodeDraft` with `seq` in front. */
export function storedFromDraft(seq: number, draftJson: string): string {
  return `{"seq":${seq},${draftJson.slice(1)}`;
}

/** The `message` frame, built from the draft JSON without re-encoding. */
export function messageFrameFromDraft(seq: number, draftJson: string): string {
  return `{"type":"message","seq":${seq},${draftJson.slice(1)}`;
}

/** The `message` frame of a stored message. */
export function encodeMessageFrame(message: RoomMessage): string {
  return messageFrameFromDraft(message.seq, encodeDraft(message.room, message));
}

/** The bus payload for a message frame. */
export function messagePayload(seq: number, frame: string): string {
  return `m${seq} ${frame}`;
}

/** The `presence` frame for a room. */
export function encodePresenceFrame(room: string, online: number): string {
  return JSON.stringify({ type: "presence", room, online });
}

/** The bus payload for a presence change. */
export function presencePayload(room: string, online: number): string {
  return `p${online} ${encodePresenceFrame(room, online)}`;
}

/** Reads a bus payload; `undefined` for anything malformed. */
export function decodePayload(payload: string): BusPayload | undefined {
  const space = payload.indexOf(" ");
  if (space < 2) return undefined;
  const value = Number(payload.slice(1, space));
  if (!Number.isSafeInteger(value) || value < 0) return undefined;
  const frame = payload.slice(space + 1);
  switch (payload[0]) {
    case "m":
      return { kind: "message", seq: value, frame };
    case "p":
      return { kind: "presence", online: value, frame };
    default:
      return undefined;
  }
}

/** Parses a stored message JSON back into a `RoomMessage`. */
export function decodeStored(json: string): RoomMessage {
  return JSON.parse(json) as RoomMessage;
}
