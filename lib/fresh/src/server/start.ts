/**
 * `createHandler` and `start`.
 * @module
 */
import type {
  FreshConfig,
  FromManifestConfig,
  Manifest,
  ServeHandlerInfo,
} from "../types.ts";
import { type RequestHandler, ServerContext } from "./context.ts";
import { readEnv } from "./config.ts";

/** Build the request handler for `manifest` (usable in tests; `connInfo` optional). */
export async function createHandler(
  manifest: Manifest,
  config: FromManifestConfig = {},
): Promise<RequestHandler> {
  return (await ServerContext.fromManifest(manifest, config)).handler();
}

/** `server.port`, else env PORT, else 8000; a PORT that is not a port number throws. */
function listenPort(configured: number | undefined): number {
  if (configured !== undefined) return configured;
  const env = readEnv("PORT");
  if (env === undefined) return 8000;
  const port = Number(env);
  if (
    env.trim() === "" || !Number.isInteger(port) || port < 0 || port > 65535
  ) {
    throw new TypeError(`env PORT must be a port number, got "${env}"`);
  }
  return port;
}

/**
 * Serve the app with `Deno.serve` and resolve when the server has finished
 * (after `server.signal` aborts). Port: `server.port`, env PORT, else 8000.
 * Outside dev, a build snapshot is required when the app has islands.
 */
export async function start(
  manifest: Manifest,
  config: FreshConfig = {},
): Promise<void> {
  const dev = readEnv("__FRSH_LEGACY_DEV") === "true";
  const context = await ServerContext.fromManifest(manifest, {
    ...config,
    dev,
  });
  if (!dev && context.islands.length > 0 && !context.hasSnapshot) {
    throw new Error(
      `No build snapshot found at ${context.config.build.outDir}: this app has islands, ` +
        "so run `deno task build` before starting it in production.",
    );
  }
  const handler = context.handler();
  const server = context.config.server;
  const port = listenPort(server.port);
  const onListen = server.onListen ?? ((addr: Deno.NetAddr) => {
    const host = addr.hostname === "0.0.0.0" || addr.hostname === "::"
      ? "localhost"
      : addr.hostname;
    console.log(
      `\n 🍋 Fresh ready \n     Local: http://${host}:${addr.port}/\n`,
    );
  });
  const httpServer: Deno.HttpServer<Deno.NetAddr> = Deno.serve(
    { ...server, port, onListen } as Deno.ServeTcpOptions,
    (req: Request, info: Deno.ServeHandlerInfo): Promise<Response> =>
      handler(req, {
        ...info,
        localAddr: httpServer.addr,
      } as ServeHandlerInfo),
  );
  await httpServer.finished;
}
