import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  decodePayload,
  decodeStored,
  encodeDraft,
  encodeMessageFrame,
  messageFrameFromDraft,
  messagePayload,
  presencePayload,
  storedFromDraft,
} from "./payload.ts";
import type { RoomMessage } from "../protocol.ts";

const message: RoomMessage = {
  room: "lobby",
  seq: 42,
  id: "m1",
  from: "Zoë",
  text: 'say "hi"\n',
  message: 'SAY "HI"\n',
  time: "09:05:01",
  processor: "upper",
};

Deno.test("message frames carry every RoomMessage field and the type", () => {
  const frame = JSON.parse(encodeMessageFrame(message));
  assertEquals(frame, { type: "message", ...message });
});

Deno.test("frames built from the draft JSON equal the encoded frame", () => {
  const draftJson = encodeDraft("lobby", message);
  assertEquals(
    messageFrameFromDraft(42, draftJson),
    encodeMessageFrame(message),
  );
  assertEquals(decodeStored(storedFromDraft(42, draftJson)), message);
});

Deno.test("bus payloads decode without parsing the frame", () => {
  const frame = encodeMessageFrame(message);
  assertEquals(decodePayload(messagePayload(42, frame)), {
    kind: "message",
    seq: 42,
    frame,
  });
  const presence = decodePayload(presencePayload("lobby", 3));
  assertEquals(presence?.kind, "presence");
  assertEquals(JSON.parse(presence!.frame), {
    type: "presence",
    room: "lobby",
    online: 3,
  });
  for (const bad of ["", "m", "m1", "x1 {}", "m-1 {}", "mabc {}", "m1.5 {}"]) {
    assertEquals(decodePayload(bad), undefined, bad);
  }
});
