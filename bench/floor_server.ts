/**
 * The floor: the least a Deno server can do for the benchmark loads, with
 * nothing but `Deno.serve` and `Deno.upgradeWebSocket`. Our server is
 * measured against it.
 *
 * It speaks the subset of docs/protocol.md the loads use:
 * - the seed format: `{"message": text}` → `{"message": TEXT, "time": "HH:MM:SS"}`;
 * - `ping` → `pong`;
 * - `join` → `joined`, and `send` with a `room` → `ack` to the sender, then
 *   one `message` frame (serialized once) to every member of the room.
 *
 * Run: `PORT=8001 deno run --allow-net --allow-env bench/floor_server.ts`.
 * `GET /` answers "ok" so a runner can tell it is up.
 *
 * @module
 */

interface Member {
  socket: WebSocket;
  name: string;
}

interface Room {
  seq: number;
  members: Set<Member>;
}

const rooms = new Map<string, Room>();

function pad(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

function clock(): string {
  const now = new Date();
  return `${pad(now.getHours())}:${pad(now.getMinutes())}:${
    pad(now.getSeconds())
  }`;
}

function reply(socket: WebSocket, frame: unknown): void {
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
}

function errorFrame(code: string, message: string): unknown {
  return { type: "error", code, message, time: clock() };
}

function handle(socket: WebSocket, joined: Map<string, Member>, data: unknown) {
  if (typeof data !== "string") {
    reply(socket, errorFrame("binary_unsupported", "Text frames only"));
    return;
  }
  let frame: Record<string, unknown>;
  try {
    frame = JSON.parse(data);
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
      const member = typeof frame.room === "string"
        ? joined.get(frame.room)
        : undefined;
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
      const room = rooms.get(frame.room as string);
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

function upgrade(request: Request): Response {
  const { socket, response } = Deno.upgradeWebSocket(request);
  const joined = new Map<string, Member>();
  socket.onmessage = (event) => handle(socket, joined, event.data);
  socket.onclose = () => {
    for (const [name, member] of joined) {
      const room = rooms.get(name);
      room?.members.delete(member);
      if (room?.members.size === 0) rooms.delete(name);
    }
    joined.clear();
  };
  socket.onerror = () => {};
  return response;
}

Deno.serve({
  hostname: "127.0.0.1",
  port: Number(Deno.env.get("PORT") ?? 8001),
  onListen: ({ port }) => console.log(`floor server on :${port}`),
}, (request) => {
  const { pathname } = new URL(request.url);
  if (pathname === "/ws") {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade", { status: 426 });
    }
    return upgrade(request);
  }
  if (pathname === "/") return new Response("ok");
  return new Response("Not found", { status: 404 });
});
