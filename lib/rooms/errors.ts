/**
 * Errors the rooms hub raises, typed so the connection handler can map them
 * to protocol error codes.
 *
 * @module
 */

/**
 * A room message could not be stored or fanned out (the shared bus or store
 * is down). The caller answers `bus_unavailable` and must not report the
 * message as delivered.
 */
export class BusUnavailableError extends Error {
  /** The protocol error code this maps to. */
  readonly code = "bus_unavailable" as const;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BusUnavailableError";
  }
}

/** The configured Redis could not be reached when the hub started. */
export class RedisUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RedisUnavailableError";
  }
}

/** The hub was closed; no more joins or messages. */
export class HubClosedError extends Error {
  constructor() {
    super("The rooms hub is closed");
    this.name = "HubClosedError";
  }
}
