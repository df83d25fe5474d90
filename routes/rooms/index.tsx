import { Head } from "$fresh/runtime.ts";
import type { Handlers, PageProps, RouteConfig } from "$fresh/server.ts";
import { SuggestedRooms } from "../../components/SuggestedRooms.tsx";
import { RoomPicker } from "../../components/RoomPicker.tsx";
import { isValidRoomName } from "../../lib/protocol.ts";

/** Send the app's Content-Security-Policy with this render's nonce. */
export const config: RouteConfig = { csp: true };

interface PickData {
  asked: string | null;
}

/** `/rooms?room=<name>` (the picker's no-JS path): redirect to the room, or explain. */
export const handler: Handlers<PickData> = {
  GET(req, ctx) {
    const asked = new URL(req.url).searchParams.get("room");
    if (asked === null) return ctx.render({ asked: null });
    const room = asked.trim();
    if (isValidRoomName(room)) {
      return new Response(null, {
        status: 303,
        headers: { location: `/rooms/${encodeURIComponent(room)}` },
      });
    }
    return ctx.render({ asked }, { status: 400 });
  },
};

/** The room directory: a picker and a few suggestions. */
export default function RoomsPage({ data }: PageProps<PickData>) {
  return (
    <main class="page">
      <Head>
        <title>Rooms · Realtime</title>
        <meta
          name="description"
          content="Pick a live chat room; messages are processed on the server and pushed to everyone in it."
        />
      </Head>
      <nav class="crumbs">
        <a href="/">← Home</a>
      </nav>
      <section class="card">
        <h1>Rooms</h1>
        {data.asked !== null && (
          <p class="hint" role="alert" data-testid="bad-room">
            “{data.asked}” is not a valid room name. Use 1 to 32 letters,
            digits, '.', '_' or '-'.
          </p>
        )}
        <RoomPicker initial={data.asked ?? ""} />
        <SuggestedRooms />
      </section>
    </main>
  );
}
