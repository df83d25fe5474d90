/**
 * The app's Prometheus metrics for `/metrics`, read at scrape time from the
 * realtime server's `stats()` and the rooms hub.
 *
 * @module
 */

import { Registry } from "../metrics.ts";
import { realtime } from "./instance.ts";
import { SERVER_VERSION } from "./realtime.ts";
import { LATENCY_BUCKETS_MS } from "./stats.ts";

/** The app's metrics, filled from the shared server on every scrape. */
export function createAppMetrics(): Registry {
  const registry = new Registry();
  const open = registry.gauge({
    name: "realtime_connections_open",
    help: "WebSockets open now.",
  });
  const accepted = registry.counter({
    name: "realtime_connections_total",
    help: "WebSockets accepted since start.",
  });
  const refused = registry.counter({
    name: "realtime_upgrades_refused_total",
    help: "WebSocket upgrades refused, by HTTP status.",
    labelNames: ["status"],
  });
  const framesIn = registry.counter({
    name: "realtime_frames_in_total",
    help: "Frames received from clients.",
  });
  const framesOut = registry.counter({
    name: "realtime_frames_out_total",
    help: "Frames sent to clients.",
  });
  const errors = registry.counter({
    name: "realtime_errors_total",
    help: "Error frames sent, by protocol error code.",
    labelNames: ["code"],
  });
  const closes = registry.counter({
    name: "realtime_closes_total",
    help: "WebSockets closed, by close code.",
    labelNames: ["code"],
  });
  const jobs = registry.gauge({
    name: "realtime_jobs_in_flight",
    help: "Messages being processed now.",
  });
  const processing = registry.histogram({
    name: "realtime_processing_seconds",
    help: "Processing time of one message, in seconds.",
    buckets: LATENCY_BUCKETS_MS.map((ms) => ms / 1000),
  });
  const rooms = registry.gauge({
    name: "realtime_rooms",
    help: "Rooms with members on this instance.",
  });
  const busUp = registry.gauge({
    name: "realtime_bus_up",
    help: "1 when the shared bus is ok, 0 when degraded.",
  });
  const reconnects = registry.counter({
    name: "realtime_bus_reconnects_total",
    help: "Times the shared bus came back after a lost connection.",
  });
  const uptime = registry.gauge({
    name: "realtime_uptime_seconds",
    help: "Seconds since this process started.",
  });
  const info = registry.gauge({
    name: "realtime_build_info",
    help: "Always 1; the labels name the version and the instance.",
    labelNames: ["version", "instance"],
  });

  registry.onCollect(() => {
    const server = realtime();
    const stats = server.stats();
    open.set(undefined, stats.connectionsOpen);
    accepted.set(undefined, stats.connectionsTotal);
    for (const [status, n] of Object.entries(stats.refused)) {
      refused.set({ status }, n);
    }
    framesIn.set(undefined, stats.framesIn);
    framesOut.set(undefined, stats.framesOut);
    for (const [code, n] of Object.entries(stats.errors)) {
      errors.set({ code }, n ?? 0);
    }
    for (const [code, n] of Object.entries(stats.closes)) {
      closes.set({ code }, n);
    }
    jobs.set(undefined, stats.jobsInFlight);
    // The server keeps cumulative counts on millisecond bounds; the
    // histogram wants per-bucket counts on the same bounds in seconds.
    let previous = 0;
    processing.setSnapshot(undefined, {
      counts: stats.processing.buckets.map(({ count }) => {
        const inBucket = count - previous;
        previous = count;
        return inBucket;
      }),
      sum: stats.processing.totalMs / 1000,
    });
    rooms.set(undefined, server.hub?.rooms?.() ?? 0);
    busUp.set(undefined, (server.hub?.status?.() ?? "ok") === "ok" ? 1 : 0);
    reconnects.set(undefined, server.hub?.reconnects?.() ?? 0);
    uptime.set(undefined, performance.now() / 1000);
    info.set(
      { version: SERVER_VERSION, instance: server.config.instanceId },
      1,
    );
  });
  return registry;
}
