/**
 * The realtime server: config, processors and worker pool, rooms hub, the set
 * of live connections and their counters. Independent of the web framework:
 * any `Deno.serve` handler can call {@linkcode RealtimeServer.upgrade}.
 *
 * @module
 */

import type { Config } from "../config.ts";
import { createLogger, type Logger } from "../log.ts";
import { CLOSE_CODES } from "../protocol.ts";
import { ProcessorRegistry } from "../processing/processor.ts";
import { createUpperProcessor } from "../processing/upper.ts";
import { createPowProcessor } from "../processing/pow_processor.ts";
import { type PoolStats, WorkerPool } from "../processing/worker_pool.ts";
import {
  Connection,
  type ConnectionContext,
  type SeriesHandlerFactory,
} from "./connection.ts";
import { createSeriesHandlerFactory } from "./series_handler.ts";
import type { RoomHub } from "./room_hub.ts";
import { Stats, type StatsSnapshot } from "./stats.ts";
import { checkUpgradeRequest, clientAddress, refusal } from "./upgrade.ts";

/** The version announced in `welcome`. */
export const SERVER_VERSION = "1.0.0";

/** Dependencies of a {@linkcode RealtimeServer}; all but `config` have defaults. */
export interface RealtimeOptions {
  config: Config;
  logger?: Logger;
  /** CPU pool; one of `config.workerPoolSize` workers is made by default. */
  pool?: WorkerPool;
  /** Zero bits the default `pow` processor requires (tests lower it). */
  powDifficulty?: number;
  /** Processors offered; `upper` and `pow` by default. */
  processors?: ProcessorRegistry;
  /** Rooms; without one, `join` gets an error. */
  hub?: RoomHub;
  /** Forecast series per connection; lib/forecast's sessions by default. */
  series?: SeriesHandlerFactory;
}

/** {@linkcode StatsSnapshot} plus the pool's and processors' gauges. */
export interface RealtimeStats extends StatsSnapshot {
  draining: boolean;
  processorsActive: number;
  pool: PoolStats;
}

/** Accepts WebSocket upgrades and runs their sessions. */
export class RealtimeServer {
  readonly config: Config;
  readonly logger: Logger;
  readonly pool: WorkerPool;
  readonly processors: ProcessorRegistry;
  readonly hub?: RoomHub;
  readonly #stats = new Stats();
  readonly #connections = new Set<Connection>();
  /** Open sockets (and upgrades in progress) per client address. */
  readonly #perAddress = new Map<string, number>();
  readonly #context: ConnectionContext;
  #draining = false;
  #closed?: Promise<void>;
  #idle?: () => void;

  /** @param options config and optional dependencies */
  constructor(options: RealtimeOptions) {
    const { config } = options;
    this.config = config;
    this.logger = options.logger ??
      createLogger({ level: config.logLevel, bodies: config.logBodies });
    this.pool = options.pool ??
      new WorkerPool({
        size: config.workerPoolSize,
        queueLimit: config.workerQueueLimit,
      });
    this.processors = options.processors ?? new ProcessorRegistry([
      createUpperProcessor(config.processDelayMs),
      createPowProcessor(this.pool, options.powDifficulty),
    ]);
    this.hub = options.hub;
    this.#context = {
      config,
      logger: this.logger,
      processors: this.processors,
      stats: this.#stats,
      serverVersion: SERVER_VERSION,
      hub: options.hub,
      series: options.series ??
        createSeriesHandlerFactory(this.pool, config, this.logger),
      draining: () => this.#draining,
      onClosed: (connection) => this.#forget(connection),
    };
  }

  /**
   * Upgrades `req` to a WebSocket session, or refuses it, checked in this
   * order: 503 (draining), 405 (not GET), 400 (not an upgrade), 403
   * (Origin), 401 (token), 503 (MAX_CONNECTIONS), 429
   * (MAX_CONNECTIONS_PER_IP).
   */
  upgrade(req: Request, remoteAddr?: Deno.Addr): Response {
    const refused = this.#check(req, remoteAddr);
    if (refused.response) {
      this.#stats.refuse(refused.response.status);
      this.logger.info("ws_refused", {
        status: refused.response.status,
        address: refused.address,
      });
      return refused.response;
    }
    const address = refused.address;
    let upgraded: { socket: WebSocket; response: Response };
    try {
      upgraded = Deno.upgradeWebSocket(req, {
        idleTimeout: this.config.heartbeatMs / 1000,
      });
    } catch (error) {
      this.#stats.refuse(400);
      return refusal(
        400,
        `Bad WebSocket upgrade: ${
          error instanceof Error ? error.message : error
        }`,
      );
    }
    const connection = new Connection(upgraded.socket, this.#context, address);
    this.#connections.add(connection);
    this.#perAddress.set(address, (this.#perAddress.get(address) ?? 0) + 1);
    this.#stats.connectionsOpen++;
    this.#stats.connectionsTotal++;
    return upgraded.response;
  }

  #check(
    req: Request,
    remoteAddr?: Deno.Addr,
  ): { response?: Response; address: string } {
    const address = clientAddress(req, remoteAddr, this.config.trustProxy);
    if (this.#draining) {
      return {
        address,
        response: refusal(503, "The server is shutting down; reconnect", {
          "retry-after": "1",
        }),
      };
    }
    const response = checkUpgradeRequest(req, this.config);
    if (response) return { address, response };
    if (this.#connections.size >= this.config.maxConnections) {
      return {
        address,
        response: refusal(503, "Too many connections; try again later", {
          "retry-after": "5",
        }),
      };
    }
    if (
      (this.#perAddress.get(address) ?? 0) >= this.config.maxConnectionsPerIp
    ) {
      return {
        address,
        response: refusal(
          429,
          "Too many connections from your address; close some first",
          { "retry-after": "5" },
        ),
      };
    }
    return { address };
  }

  #forget(connection: Connection): void {
    if (!this.#connections.delete(connection)) return;
    this.#stats.connectionsOpen--;
    const count = (this.#perAddress.get(connection.address) ?? 1) - 1;
    if (count > 0) this.#perAddress.set(connection.address, count);
    else this.#perAddress.delete(connection.address);
    if (this.#connections.size === 0) this.#idle?.();
  }

  /** Live connections. */
  get connections(): ReadonlySet<Connection> {
    return this.#connections;
  }

  /** A snapshot of every counter. */
  stats(): RealtimeStats {
    return {
      ...this.#stats.snapshot(),
      draining: this.#draining,
      processorsActive: this.processors.active(),
      pool: this.pool.stats(),
    };
  }

  /**
   * Drains and stops: new upgrades get 503 and new messages `shutting_down`;
   * running jobs may finish until `deadlineMs` has passed; then every socket
   * is closed with 1001 and the pool and hub are closed.
   */
  shutdown(deadlineMs: number = this.config.shutdownTimeoutMs): Promise<void> {
    this.#closed ??= this.#shutdown(deadlineMs);
    return this.#closed;
  }

  async #shutdown(deadlineMs: number): Promise<void> {
    this.#draining = true;
    const started = performance.now();
    this.logger.info("shutdown_started", {
      connections: this.#connections.size,
      jobs: this.#stats.jobsInFlight,
    });
    const remaining = () => deadlineMs - (performance.now() - started);
    while (this.#stats.jobsInFlight > 0 && remaining() > 0) {
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(25, remaining()))
      );
    }
    if (this.#connections.size > 0) {
      const allClosed = new Promise<void>((resolve) => this.#idle = resolve);
      for (const connection of this.#connections) {
        connection.close(CLOSE_CODES.goingAway, "Server shutting down");
      }
      // Wait briefly for close handshakes; peers that never answer are dropped
      // with the HTTP server.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        allClosed,
        new Promise((resolve) => {
          timer = setTimeout(
            resolve,
            Math.max(100, Math.min(1000, remaining())),
          );
        }),
      ]);
      clearTimeout(timer);
      this.#idle = undefined;
    }
    await this.pool.close();
    await this.hub?.close();
    this.logger.info("shutdown_done", {
      ms: Math.round(performance.now() - started),
    });
  }
}
