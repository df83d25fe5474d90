import type { ConnectionSnapshot } from "../lib/client/socket_client.ts";

/** Props of {@linkcode ConnectionStatus}. */
export interface ConnectionStatusProps {
  snapshot: ConnectionSnapshot;
  /** The current time (epoch ms), ticking, for the retry countdown. */
  now: number;
  onConnect?: () => void;
  onDisconnect?: () => void;
  /** Whether the buttons may be used (false until the island is live). */
  interactive?: boolean;
}

/** The human wording of a connection snapshot. */
export function connectionLabel(
  snapshot: ConnectionSnapshot,
  now: number,
): string {
  switch (snapshot.state) {
    case "connecting":
      return snapshot.attempt > 0
        ? `Connecting… (attempt ${snapshot.attempt + 1})`
        : "Connecting…";
    case "open":
      return "Connected";
    case "reconnecting": {
      const ms = Math.max(0, (snapshot.nextRetryAt ?? now) - now);
      return `Reconnecting in ${Math.ceil(ms / 1000)} s`;
    }
    case "closed":
      return "Disconnected";
  }
}

/** A status pill with Connect / Disconnect buttons. */
export function ConnectionStatus(
  { snapshot, now, onConnect, onDisconnect, interactive = true }:
    ConnectionStatusProps,
) {
  const { state } = snapshot;
  const live = state === "open" || state === "connecting";
  return (
    <div class="status-bar">
      <span
        class={`pill pill-${state}`}
        data-state={state}
        data-testid="connection-state"
        title={snapshot.lastClose && state !== "open"
          ? `Last close: ${snapshot.lastClose.code} ${snapshot.lastClose.reason}`
          : undefined}
      >
        <span class="dot" aria-hidden="true" />
        {connectionLabel(snapshot, now)}
      </span>
      <span class="status-actions">
        <button
          type="button"
          class="button button-small"
          onClick={onConnect}
          disabled={!interactive || live}
        >
          Connect
        </button>
        <button
          type="button"
          class="button button-small button-quiet"
          onClick={onDisconnect}
          disabled={!interactive || state === "closed"}
        >
          Disconnect
        </button>
      </span>
    </div>
  );
}
