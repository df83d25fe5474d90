/**
 * `/healthz`: this instance's health (lib/server/health.ts). 200 with
 * `status: "ok"`, or 503 with `status: "degraded"` while the shared bus is
 * down or the server is draining.
 */

import type { Handlers } from "$fresh/server.ts";
import { healthReport } from "../lib/server/health.ts";

/** GET answers JSON; never cached, so a proxy cannot answer for a dead instance. */
export const handler: Handlers = {
  GET() {
    const report = healthReport();
    return Response.json(report, {
      status: report.status === "ok" ? 200 : 503,
      headers: { "cache-control": "no-store" },
    });
  },
};
