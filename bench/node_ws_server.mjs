/**
 * A popular peer for the benchmarks: Node's `http` server with the npm `ws`
 * package, doing the same job as bench/floor_server.ts (the seed format,
 * `ping`, `join`, and `send` to a room with one serialized `message` per
 * delivery).
 *
 * Run with the machine's Node from the repository root (after `deno install`,
 * so that node_modules/ws exists):
 * `PORT=8002 node bench/node_ws_server.mjs`.
 *
 * @module
 */
import { createServer } from "node:http";
import { WebSocket, WebSocketServer } from "ws";

/** @typedef {{ socket: WebSocket, name: string }} Member */

/** @type {Map<string, { seq: number, members: Set<Member> }>} */
const rooms = new Map();

function pad(n) {
  return n < 10 ? "0" + n : String(n);
}

function clock() {
  const now = new Date();
  return `${pad(now.getHours())}:${pad(now.getMinutes())}:${
    pad(now.getSeconds())
  }`;
}

function reply(socket, frame) {
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
}

function errorFrame(code, message) {
  return { type: "error", code, message, time: clock() };
}

/**
 * @param {WebSocket} socket
 * @param {Map<string, Member>} joined
 * @param {Buffer} data
 * @param {boolean} isBinary
 */
function handle(socket, joined, data, isBinary) {
  if (isBinary) {
    reply(socket, errorFrame("binary_unsupported", "Text frames only"));
    return;
  }
  let frame;
  try {
    frame = JSON.parse(data.toString());
  } catch {
    reply(socket, errorFrame("bad_json", "The frame is not JSON"));
    return;
  }
  if (typeof frame !== "object" || frame === null || Array.isArray(frame)) {
    reply(socket, errorFrame("bad_frame", "A frame must be a JSON object"));
    return;
  }
  switch (frame.type) {
    case undefined:
      if (typeof frame.message !== "string") break;
      reply(socket, { message: frame.message.toUpperCase(), time: clock() });
      return;
    case "ping":
      reply(socket, { type: "pong", t: frame.t });
      return;
    case "join": {
      if (typeof frame.room !== "string" || typeof frame.name !== "string") {
        break;
      }
      let room = rooms.get(frame.room);
      if (!room) {
        room = { seq: 0, members: new Set() };
        rooms.set(frame.room, room);
      }
      const member = { socket, name: frame.name };
      joined.set(frame.room, member);
      room.members.add(member);
      reply(socket, {
        type: "joined",
        room: frame.room,
        name: frame.name,
        seq: room.seq,
        history: [],
        online: room.members.size,
      });
      return;
    }
    case "send": {
      const { id, text } = frame;
      if (typeof id !== "string" || typeof text !== "string") break;
      reply(socket, { type: "ack", id });
      if (frame.room === undefined) {
        reply(socket, {
          type: "result",
          id,
          message: text.toUpperCase(),
          time: clock(),
          processor: "upper",
          elapsedMs: 0,
        });
        return;
      }
      const member = joined.get(frame.room);
      const room = rooms.get(frame.room);
      if (!member || !room) {
        reply(socket, errorFrame("not_in_room", "Join the room first"));
        return;
      }
      room.seq += 1;
      const message = JSON.stringify({
        type: "message",
        room: frame.room,
        seq: room.seq,
        id,
        from: member.name,
        text,
        message: text.toUpperCase(),
        time: clock(),
        processor: "upper",
      });
      for (const { socket: peer } of room.members) {
        if (peer.readyState === WebSocket.OPEN) peer.send(message);
      }
      return;
    }
  }
  reply(socket, errorFrame("invalid_field", "Unsupported frame"));
}

const server = createServer((request, response) => {
  if (request.url === "/") {
    response.end("ok");
  } else {
    response.statusCode = 404;
    response.end("Not found");
  }
});
const wss = new WebSocketServer({ server, path: "/ws" });
wss.on("connection", (socket) => {
  /** @type {Map<string, Member>} */
  const joined = new Map();
  socket.on(
    "message",
    (data, isBinary) => handle(socket, joined, data, isBinary),
  );
  socket.on("close", () => {
    for (const [name, member] of joined) {
      const room = rooms.get(name);
      room?.members.delete(member);
      if (room?.members.size === 0) rooms.delete(name);
    }
    joined.clear();
  });
  socket.on("error", () => {});
});

const port = Number(process.env.PORT ?? 8002);
server.listen(
  port,
  "127.0.0.1",
  () => console.log(`node ws server on :${port}`),
);
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    for (const client of wss.clients) client.terminate();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  });
}
