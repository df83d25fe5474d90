import assert from "node:assert/strict";
import {
  errorFrame,
  formatTime,
  isValidDisplayName,
  isValidRoomName,
  parseClientFrame,
  parseServerFrame,
  validateClientFrame,
} from "./protocol.ts";

function fails(input: string, code: string, id?: string) {
  const result = parseClientFrame(input);
  assert.equal(result.ok, false, input);
  if (result.ok) return;
  assert.equal(result.code, code, input);
  assert.equal(result.id, id, input);
  assert.ok(result.message.length > 0);
}

function parses(input: unknown) {
  const result = parseClientFrame(JSON.stringify(input));
  assert.ok(result.ok, JSON.stringify(result));
  return result.frame;
}

Deno.test("seed frames", () => {
  assert.deepEqual(parses({ message: "hi" }), { type: "seed", text: "hi" });
  assert.deepEqual(parses({ message: "hi", extra: 1 }), {
    type: "seed",
    text: "hi",
  });
  fails('{"message": 5}', "invalid_field");
  fails('{"message": " \\n "}', "text_empty");
  fails(JSON.stringify({ message: "x".repeat(2001) }), "text_too_long");
  fails("{}", "unknown_type");
});

Deno.test("envelope errors", () => {
  fails("nope", "bad_json");
  fails("", "bad_json");
  for (const value of ["[]", "null", "1", '"s"', "true"]) {
    fails(value, "bad_frame");
  }
  fails('{"type": 1}', "invalid_field");
  fails('{"type": "seed", "text": "x"}', "unknown_type");
  fails('{"type": "nope", "id": "k"}', "unknown_type", "k");
});

Deno.test("hello", () => {
  assert.deepEqual(parses({ type: "hello", protocol: 1 }), {
    type: "hello",
    protocol: 1,
    client: undefined,
  });
  assert.equal(
    (parses({ type: "hello", protocol: 1, client: "c" }) as { client: string })
      .client,
    "c",
  );
  fails('{"type": "hello"}', "invalid_field");
  fails('{"type": "hello", "protocol": 1.5}', "invalid_field");
  fails('{"type": "hello", "protocol": 1, "client": 3}', "invalid_field");
});

Deno.test("send", () => {
  assert.deepEqual(parses({ type: "send", id: "a", text: "t" }), {
    type: "send",
    id: "a",
    text: "t",
    processor: undefined,
    room: undefined,
  });
  assert.deepEqual(
    parses({ type: "send", id: "a", text: "t", processor: "pow", room: "r-1" }),
    { type: "send", id: "a", text: "t", processor: "pow", room: "r-1" },
  );
  fails('{"type": "send", "text": "t"}', "invalid_field");
  fails('{"type": "send", "id": "", "text": "t"}', "invalid_field");
  fails(
    JSON.stringify({ type: "send", id: "x".repeat(65), text: "t" }),
    "invalid_field",
  );
  fails('{"type": "send", "id": 7, "text": "t"}', "invalid_field");
  fails('{"type": "send", "id": "a"}', "invalid_field", "a");
  fails('{"type": "send", "id": "a", "text": ""}', "text_empty", "a");
  fails(
    JSON.stringify({ type: "send", id: "a", text: "x".repeat(2001) }),
    "text_too_long",
    "a",
  );
  fails(
    '{"type": "send", "id": "a", "text": "t", "processor": 1}',
    "invalid_field",
    "a",
  );
  fails(
    '{"type": "send", "id": "a", "text": "t", "room": "no spaces"}',
    "invalid_name",
    "a",
  );
  const limited = validateClientFrame(
    { type: "send", id: "a", text: "abcd" },
    { maxTextLength: 3, maxPointsPerFrame: 10 },
  );
  assert.equal(limited.ok ? "ok" : limited.code, "text_too_long");
});

Deno.test("ping", () => {
  assert.deepEqual(parses({ type: "ping" }), { type: "ping", t: undefined });
  assert.deepEqual(parses({ type: "ping", t: -3.5 }), {
    type: "ping",
    t: -3.5,
  });
  fails('{"type": "ping", "t": "now"}', "invalid_field");
});

Deno.test("join and leave", () => {
  assert.deepEqual(parses({ type: "join", room: "lobby", name: "Ann Lee" }), {
    type: "join",
    room: "lobby",
    name: "Ann Lee",
    since: undefined,
  });
  assert.equal(
    (parses({ type: "join", room: "a.b_c-d", name: "Zoë", since: 0 }) as {
      since: number;
    }).since,
    0,
  );
  fails('{"type": "join", "name": "a"}', "invalid_field");
  fails('{"type": "join", "room": "", "name": "a"}', "invalid_name");
  fails(
    JSON.stringify({ type: "join", room: "r".repeat(33), name: "a" }),
    "invalid_name",
  );
  fails('{"type": "join", "room": "r"}', "invalid_field");
  fails('{"type": "join", "room": "r", "name": "   "}', "invalid_name");
  fails('{"type": "join", "room": "r", "name": "<b>"}', "invalid_name");
  fails(
    '{"type": "join", "room": "r", "name": "a", "since": -1}',
    "invalid_field",
  );
  fails(
    '{"type": "join", "room": "r", "name": "a", "since": 1.5}',
    "invalid_field",
  );
  assert.deepEqual(parses({ type: "leave", room: "r" }), {
    type: "leave",
    room: "r",
  });
  fails('{"type": "leave"}', "invalid_field");
  fails('{"type": "leave", "room": "a/b"}', "invalid_name");
});

Deno.test("series frames", () => {
  assert.deepEqual(parses({ type: "series_open", id: "s" }), {
    type: "series_open",
    id: "s",
    horizon: undefined,
    level: undefined,
  });
  parses({ type: "series_open", id: "s", horizon: 50, level: 0.99 });
  fails(
    '{"type": "series_open", "id": "s", "horizon": 0}',
    "invalid_field",
    "s",
  );
  fails(
    '{"type": "series_open", "id": "s", "horizon": 51}',
    "invalid_field",
    "s",
  );
  fails(
    '{"type": "series_open", "id": "s", "level": 0.4}',
    "invalid_field",
    "s",
  );
  fails('{"type": "series_open"}', "invalid_field");
  assert.deepEqual(
    parses({ type: "series_points", id: "s", points: [1, 2.5] }),
    {
      type: "series_points",
      id: "s",
      points: [1, 2.5],
    },
  );
  fails(
    '{"type": "series_points", "id": "s", "points": []}',
    "invalid_field",
    "s",
  );
  fails(
    '{"type": "series_points", "id": "s", "points": 3}',
    "invalid_field",
    "s",
  );
  fails(
    '{"type": "series_points", "id": "s", "points": [1, "2"]}',
    "bad_point",
    "s",
  );
  fails(
    '{"type": "series_points", "id": "s", "points": [1, null]}',
    "bad_point",
    "s",
  );
  fails(
    JSON.stringify({
      type: "series_points",
      id: "s",
      points: Array(1001).fill(1),
    }),
    "invalid_field",
    "s",
  );
  assert.deepEqual(parses({ type: "series_close", id: "s" }), {
    type: "series_close",
    id: "s",
  });
  fails('{"type": "series_close"}', "invalid_field");
});

Deno.test("names, time and server frames", () => {
  assert.ok(isValidRoomName("a"));
  assert.ok(!isValidRoomName("a b"));
  assert.ok(isValidDisplayName("Łukasz 2"));
  assert.ok(!isValidDisplayName(" "));
  assert.equal(formatTime(new Date(2024, 0, 2, 3, 4, 5)), "03:04:05");
  assert.equal(formatTime(new Date(2024, 0, 2, 23, 59, 9)), "23:59:09");
  assert.deepEqual(parseServerFrame('{"type":"ack","id":"a"}'), {
    type: "ack",
    id: "a",
  });
  assert.equal(parseServerFrame('{"type":"nope"}'), undefined);
  assert.equal(parseServerFrame("[]"), undefined);
  assert.equal(parseServerFrame("x"), undefined);
  const error = errorFrame("rate_limited", "slow down", "i");
  assert.equal(error.type, "error");
  assert.equal(error.id, "i");
  assert.match(error.time, /^\d\d:\d\d:\d\d$/);
  assert.ok(!("id" in errorFrame("bad_json", "x")));
});
