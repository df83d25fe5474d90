/**
 * `/logout`: POST clears the session cookie and goes back to /login.
 * A POST (same-origin) so another site cannot sign the user out.
 */

import type { Handlers } from "$fresh/server.ts";
import {
  clearedSessionCookie,
  isHttps,
  isSameOriginPost,
} from "../lib/security/access.ts";
import { realtime } from "../lib/server/instance.ts";

/** POST signs out. */
export const handler: Handlers = {
  POST(req) {
    if (!isSameOriginPost(req)) {
      return new Response("Cross-site sign-out refused\n", {
        status: 403,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }
    const secure = isHttps(req, realtime().config.trustProxy);
    return new Response(null, {
      status: 303,
      headers: {
        location: "/login",
        "set-cookie": clearedSessionCookie(secure),
        "cache-control": "no-store",
      },
    });
  },
};
