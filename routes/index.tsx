import { Head } from "$fresh/runtime.ts";
import type { RouteConfig } from "$fresh/server.ts";
import { SuggestedRooms } from "../components/SuggestedRooms.tsx";
import LiveMessages from "../islands/LiveMessages.tsx";
import { RoomPicker } from "../components/RoomPicker.tsx";

/** Send the app's Content-Security-Policy with this render's nonce. */
export const config: RouteConfig = { csp: true };

/** The home page: what the app does, the live panel, and the way into rooms. */
export default function Home() {
  return (
    <main class="page">
      <Head>
        <title>Realtime · send text, get results pushed back live</title>
        <meta
          name="description"
          content="Send text to the server, have it processed concurrently, and get each result pushed back the moment it is ready over one WebSocket. Chat rooms and a live forecast use the same connection."
        />
      </Head>
      <header class="hero">
        <p class="eyebrow">Deno · Fresh · WebSocket</p>
        <h1>Results pushed back the moment they are ready</h1>
        <p class="lede">
          Type a message and send it. The server processes every message
          concurrently (no queueing behind the slow ones) and pushes each result
          back over a single WebSocket, with no polling. If the connection
          drops, the page reconnects on its own and sends whatever you typed in
          the meantime, once.
        </p>
        <p class="hero-links">
          <a href="#rooms">Join a chat room</a>
          <span aria-hidden="true">·</span>
          <a href="/forecast">Watch a live forecast</a>
        </p>
      </header>

      <LiveMessages />

      <section class="card" id="rooms" aria-labelledby="rooms-title">
        <h2 id="rooms-title">Rooms</h2>
        <p class="muted">
          Everyone in a room sees every message live, with who sent it and when.
          Type a room name or open one of these:
        </p>
        <RoomPicker />
        <SuggestedRooms />
      </section>
    </main>
  );
}
