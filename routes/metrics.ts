/**
 * `/metrics`: Prometheus text exposition (0.0.4) of this instance
 * (lib/server/app_metrics.ts).
 */

import type { Handlers } from "$fresh/server.ts";
import { PROMETHEUS_CONTENT_TYPE, type Registry } from "../lib/metrics.ts";
import { createAppMetrics } from "../lib/server/app_metrics.ts";

let metrics: Registry | undefined;

/** GET renders every metric. */
export const handler: Handlers = {
  async GET() {
    metrics ??= createAppMetrics();
    return new Response(await metrics.render(), {
      headers: {
        "content-type": PROMETHEUS_CONTENT_TYPE,
        "cache-control": "no-store",
      },
    });
  },
};
