/**
 * Preact hooks that tie a `SocketClient` to an island's lifetime.
 *
 * The socket is created in an effect, so it never exists during server
 * rendering, and it is closed when the island unmounts.
 *
 * @module
 */

import { type Signal, useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import {
  type ConnectionSnapshot,
  SocketClient,
  type SocketClientOptions,
} from "./socket_client.ts";
import { connectionStore } from "./stores.ts";

/** What an island gets once it is mounted in the browser. */
export interface Live<S> {
  client: SocketClient;
  connection: Signal<ConnectionSnapshot>;
  stores: S;
}

/** The snapshot shown before the island has mounted (it connects on mount). */
export const BEFORE_MOUNT: ConnectionSnapshot = {
  state: "connecting",
  attempt: 0,
  nextRetryAt: null,
  welcome: null,
  lastClose: null,
};

/**
 * Creates a client on mount, builds the island's stores on it, connects,
 * and tears everything down on unmount. The signal is `null` until mounted.
 */
export function useLiveClient<S extends { dispose(): void }>(
  makeStores: (client: SocketClient) => S,
  options: SocketClientOptions = {},
): Signal<Live<S> | null> {
  const live = useSignal<Live<S> | null>(null);
  useEffect(() => {
    const client = new SocketClient(options);
    const connection = connectionStore(client);
    const stores = makeStores(client);
    live.value = {
      client,
      connection: connection.connection as Signal<ConnectionSnapshot>,
      stores,
    };
    client.connect();
    return () => {
      client.destroy();
      stores.dispose();
      connection.dispose();
      live.value = null;
    };
  }, []);
  return live;
}

/** The current time as a signal, refreshed every `intervalMs` while mounted. */
export function useNow(intervalMs = 250): Signal<number> {
  const now = useSignal(Date.now());
  useEffect(() => {
    const timer = setInterval(() => now.value = Date.now(), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
