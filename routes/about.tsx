import { Head } from "$fresh/runtime.ts";
import type { RouteConfig } from "$fresh/server.ts";

/** Send the app's Content-Security-Policy with this render's nonce. */
export const config: RouteConfig = { csp: true };

/** What the app is; a page with no island, so it ships no JavaScript. */
export default function About() {
  return (
    <main>
      <Head>
        <title>About · Realtime</title>
      </Head>
      <h1>About</h1>
      <p>
        A real-time messaging app: pages are rendered on the server, and small
        Preact islands hold a WebSocket to <code>/ws</code>{" "}
        and show replies as they arrive. Messages are processed on the server
        and pushed back without polling.
      </p>
      <p>
        Built as a Fresh 1.x app on Deno: routes, islands, signals, and esbuild
        bundles. <a href="/">Home</a>.
      </p>
    </main>
  );
}
