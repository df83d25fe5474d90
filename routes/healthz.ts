/**
 * `/healthz`: this instance's health for load balancers and container
 * checks. 200 with `status: "ok"`, or 503 with `status: "degraded"` while the
 * shared bus is down or the server is draining.
 */

import type { Handlers } from "$fresh/server.ts";
import { realtime } from "../lib/server/instance.ts";
import { SERVER_VERSION } from "../lib/server/realtime.ts";

/** The body of a `/healthz` answer. */
export interface HealthReport {
  status: "ok" | "degraded";
  version: string;
  instance: string;
  uptimeSeconds: number;
  connections: number;
  rooms: number;
  bus: "ok" | "degraded";
  draining: boolean;
}

/** Builds the report from the shared realtime server and its rooms hub. */
export function healthReport(): HealthReport {
  const server = realtime();
  const stats = server.stats();
  const bus = server.hub?.status?.() ?? "ok";
  return {
    status: bus === "ok" && !stats.draining ? "ok" : "degraded",
    version: SERVER_VERSION,
    instance: server.config.instanceId,
    uptimeSeconds: Math.round(performance.now()) / 1000,
    connections: stats.connectionsOpen,
    rooms: server.hub?.rooms?.() ?? 0,
    bus,
    draining: stats.draining,
  };
}

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
