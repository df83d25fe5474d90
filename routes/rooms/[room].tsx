import { Head } from "$fresh/runtime.ts";
import type { Handlers, PageProps, RouteConfig } from "$fresh/server.ts";
import Room from "../../islands/Room.tsx";
import { isValidRoomName } from "../../lib/protocol.ts";

/** Send the app's Content-Security-Policy with this render's nonce. */
export const config: RouteConfig = { csp: true };

interface RoomPageData {
  room: string;
  valid: boolean;
}

/** Rejects invalid room names with 400 before any socket is opened. */
export const handler: Handlers<RoomPageData> = {
  GET(_req, ctx) {
    const room = decodeParam(ctx.params.room ?? "");
    return isValidRoomName(room)
      ? ctx.render({ room, valid: true })
      : ctx.render({ room, valid: false }, { status: 400 });
  },
};

/** A room page, or a 400 page explaining the naming rules. */
export default function RoomPage({ data }: PageProps<RoomPageData>) {
  if (!data.valid) {
    return (
      <main class="page">
        <Head>
          <title>Invalid room name · Realtime</title>
          <meta name="robots" content="noindex" />
        </Head>
        <nav class="crumbs">
          <a href="/">← Home</a>
        </nav>
        <section class="card error-card" data-testid="bad-room">
          <p class="eyebrow">400 · Bad request</p>
          <h1>That is not a valid room name</h1>
          <p>
            <code class="inline-code">{data.room}</code>{" "}
            cannot be used. Room names are 1 to 32 characters: letters, digits,
            {" "}
            <code>.</code>, <code>_</code> or <code>-</code>, with no spaces.
          </p>
          <p>
            Try <a href="/rooms/lobby">/rooms/lobby</a> or pick a room on the
            {" "}
            <a href="/">home page</a>.
          </p>
        </section>
      </main>
    );
  }
  return (
    <main class="page">
      <Head>
        <title>{`#${data.room} · Realtime`}</title>
        <meta
          name="description"
          content={`Live chat room ${data.room}: messages are processed on the server and pushed to everyone in the room over one WebSocket.`}
        />
      </Head>
      <nav class="crumbs">
        <a href="/">← Home</a>
      </nav>
      <Room room={data.room} />
      <p class="footnote">
        Everyone on <code>/rooms/{data.room}</code>{" "}
        sees the same messages. If your connection drops, the page reconnects
        and fetches exactly what you missed.
      </p>
    </main>
  );
}

function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw; // a malformed escape is simply an invalid name
  }
}
