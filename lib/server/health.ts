/**
 * This instance's health for `/healthz`: load balancers and container checks
 * read it.
 *
 * @module
 */

import { realtime } from "./instance.ts";
import { SERVER_VERSION } from "./realtime.ts";

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
