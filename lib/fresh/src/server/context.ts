/**
 * The request pipeline: slash rules, destination (internal bundle, static
 * file, route, not found), middleware chain, handlers, error pages.
 * Responses from handlers are returned untouched (WebSocket upgrades).
 * @module
 */
import { type ComponentType, h } from "preact";
import type {
  DestinationKind,
  FreshContext,
  FromManifestConfig,
  Handler,
  Handlers,
  KnownMethod,
  Manifest,
  MiddlewareHandler,
  ResolvedFreshConfig,
  RouteConfig,
  ServeHandlerInfo,
} from "../types.ts";
import { BUILD_ID, setBuildId } from "./build_id.ts";
import { resolveConfig } from "./config.ts";
import { buildRouteTable, type Route, type RouteTable } from "./routes.ts";
import { inScope } from "./router.ts";
import { type PageComponent, renderPage } from "./render.ts";
import { collectIslands, type Island } from "./islands.ts";
import {
  scanStaticDir,
  serveStaticFile,
  type StaticFile,
} from "./static_files.ts";
import { AssetStore, loadSnapshot } from "./assets.ts";

const DEFAULT_REMOTE: Deno.NetAddr = {
  transport: "tcp",
  hostname: "localhost",
  port: 1234,
};
const DEFAULT_LOCAL: Deno.NetAddr = {
  transport: "tcp",
  hostname: "localhost",
  port: 8080,
};
const ERROR_MESSAGE =
  "An error occurred during route handling or page rendering.";
const METHODS: KnownMethod[] = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "OPTIONS",
  "PATCH",
];

/** The request handler built from a manifest. */
export type RequestHandler = (
  req: Request,
  connInfo?: ServeHandlerInfo,
) => Promise<Response>;

/** Holds everything derived from the manifest and serves requests. */
export class ServerContext {
  readonly config: ResolvedFreshConfig;
  readonly assets: AssetStore;
  readonly islands: Island[];
  #table: RouteTable;
  #staticFiles: Map<string, StaticFile>;
  // deno-lint-ignore ban-types
  #islandsByFn: Map<Function, Island>;

  private constructor(
    config: ResolvedFreshConfig,
    table: RouteTable,
    islands: Island[],
    staticFiles: Map<string, StaticFile>,
    assets: AssetStore,
  ) {
    this.config = config;
    this.#table = table;
    this.islands = islands;
    this.#staticFiles = staticFiles;
    this.assets = assets;
    this.#islandsByFn = new Map();
    for (const island of islands) {
      if (!this.#islandsByFn.has(island.component)) {
        this.#islandsByFn.set(island.component, island);
      }
    }
  }

  /**
   * Build a context. Outside dev, a snapshot in `build.outDir` is loaded
   * (and its build id adopted); without one, bundle requests fail with a
   * message to run `deno task build`. In dev, bundles are built on first use.
   */
  static async fromManifest(
    manifest: Manifest,
    config: FromManifestConfig = {},
  ): Promise<ServerContext> {
    const resolved = resolveConfig(manifest, config);
    const table = buildRouteTable(manifest);
    const islands = collectIslands(manifest);
    let assets: AssetStore;
    if (resolved.dev) {
      assets = AssetStore.jit(async () => {
        const { buildAssets } = await import("../build/build.ts");
        return await buildAssets(manifest, resolved, BUILD_ID);
      }, true);
    } else {
      const snapshot = await loadSnapshot(resolved.build.outDir);
      if (snapshot) {
        setBuildId(snapshot.buildId);
        assets = AssetStore.fromSnapshot(snapshot.output);
      } else {
        assets = AssetStore.missing(
          `No build snapshot found at ${resolved.build.outDir}. Run \`deno task build\` before starting in production.`,
        );
      }
    }
    const staticFiles = await scanStaticDir(resolved.staticDir, BUILD_ID);
    return new ServerContext(resolved, table, islands, staticFiles, assets);
  }

  /** Whether bundles are available without building (snapshot or dev). */
  get hasSnapshot(): boolean {
    return this.assets.dev || this.assets.dependencies("main.js") !== undefined;
  }

  /** The request handler. */
  handler(): RequestHandler {
    return (req, connInfo) => this.#handle(req, connInfo);
  }

  async #handle(req: Request, connInfo?: ServeHandlerInfo): Promise<Response> {
    const url = new URL(req.url);
    url.pathname = url.pathname.replace(/\/{2,}/g, "/");
    if (url.pathname.length > 1 && url.pathname.endsWith("/")) {
      return new Response(null, {
        status: 307,
        headers: { location: url.pathname.replace(/\/+$/, "") + url.search },
      });
    }

    const ctx = this.#createContext(req, url, connInfo);
    const table = this.#table;
    let endpoint: Handler;
    let destination: DestinationKind;
    let route: Route | undefined;
    const jsPrefix = `/_frsh/js/${BUILD_ID}/`;
    let endpointRender: FreshContext["render"] | undefined;
    const staticFile = this.#staticFiles.get(url.pathname);
    if (url.pathname.startsWith(jsPrefix)) {
      destination = "internal";
      ctx.route = `${jsPrefix}:path*`;
      ctx.params = { path: url.pathname.slice(jsPrefix.length) };
      endpoint = (r) =>
        this.assets.serve(r, url.pathname.slice(jsPrefix.length));
    } else if (staticFile) {
      destination = "static";
      ctx.route = url.pathname;
      endpoint = (r) => serveStaticFile(r, url, staticFile, BUILD_ID);
    } else {
      for (const candidate of table.routes) {
        const params = candidate.matcher.match(url.pathname);
        if (params) {
          route = candidate;
          ctx.params = params;
          ctx.route = candidate.matcher.pattern;
          break;
        }
      }
      if (route) {
        destination = "route";
        endpoint = this.#routeEndpoint(route);
        endpointRender = this.#renderer(req, ctx, route.base, route, 200);
      } else {
        destination = "notFound";
        endpoint = this.#notFoundEndpoint();
        // a _404 handler's ctx.render renders the _404 page, as in Fresh
        endpointRender = this.#renderer(
          req,
          ctx,
          "",
          this.#table.notFound,
          404,
        );
      }
    }
    ctx.destination = destination;

    const base = route?.base ?? "";
    const chain: MiddlewareHandler[] = table.middlewares
      .filter((m) => route ? inScope(m.base, base) : m.base === "")
      .flatMap((m) => m.handlers);

    const dispatch = async (index: number): Promise<Response> => {
      if (index < chain.length) {
        ctx.next = () => dispatch(index + 1);
        return await chain[index](req, ctx as FreshContext);
      }
      ctx.next = () =>
        Promise.reject(new Error("ctx.next() called after the last handler"));
      // As in Fresh, middleware sees a stub render; the endpoint gets the real one.
      if (endpointRender) ctx.render = endpointRender;
      let result: Response | Promise<Response>;
      try {
        result = endpoint(req, ctx);
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) {
          return await ctx.renderNotFound();
        }
        throw err;
      }
      return await result;
    };

    try {
      const response = await dispatch(0);
      if (!(response instanceof Response)) {
        throw new TypeError(
          `A handler for ${url.pathname} returned ${typeof response} instead of a Response`,
        );
      }
      return response;
    } catch (err) {
      console.error(ERROR_MESSAGE, err);
      ctx.error = err;
      try {
        return await this.#renderError(req, ctx);
      } catch (inner) {
        console.error("The _500 page failed too:", inner);
        return new Response(ERROR_MESSAGE, { status: 500 });
      }
    }
  }

  #createContext(
    req: Request,
    url: URL,
    connInfo?: ServeHandlerInfo,
  ): FreshContext {
    const ctx = {
      url,
      params: {},
      route: "",
      get pattern() {
        return this.route;
      },
      basePath: "",
      destination: "notFound" as DestinationKind,
      isPartial: false,
      remoteAddr: (connInfo?.remoteAddr as Deno.NetAddr | undefined) ??
        DEFAULT_REMOTE,
      localAddr: connInfo?.localAddr ?? DEFAULT_LOCAL,
      state: {},
      config: this.config,
      data: undefined,
      error: undefined,
      codeFrame: undefined,
      render: () => new Response(null, { status: 500 }),
      renderNotFound: (data?: unknown) => {
        const page = this.#table.notFound;
        if (!page?.component) {
          return new Response("Not found.", { status: 404 });
        }
        return this.#renderer(req, ctx, "", page, 404)(data);
      },
      next: () => Promise.reject(new Error("ctx.next() is not available here")),
      Component: () => null,
    } as FreshContext;
    return ctx;
  }

  #routeEndpoint(route: Route): Handler {
    const handler = route.handler;
    if (typeof handler === "function") {
      return (req, ctx) =>
        handler(
          req.method === "HEAD" ? new Request(req, { method: "GET" }) : req,
          ctx,
        );
    }
    const handlers = handler as Handlers;
    return async (req, ctx) => {
      const method = req.method.toUpperCase() as KnownMethod;
      const fn = handlers[method];
      if (fn) return await fn(req, ctx);
      if (method === "HEAD" && handlers.GET) {
        const res = await handlers.GET(req, ctx);
        if (res.status === 101) return res;
        await res.body?.cancel();
        return new Response(null, {
          status: res.status,
          statusText: res.statusText,
          headers: res.headers,
        });
      }
      const allowed = METHODS.filter((m) =>
        handlers[m] || (m === "HEAD" && handlers.GET)
      ).join(", ");
      return new Response(null, {
        status: 405,
        headers: { allow: allowed, accept: allowed },
      });
    };
  }

  #notFoundEndpoint(): Handler {
    const notFound = this.#table.notFound;
    if (notFound?.handler) return notFound.handler;
    if (!notFound) return () => new Response(null, { status: 404 });
    return (_req, ctx) => ctx.renderNotFound();
  }

  #renderError(req: Request, ctx: FreshContext): Promise<Response> | Response {
    const errorPage = this.#table.error;
    ctx.render = this.#renderer(req, ctx, "", errorPage, 500);
    if (errorPage?.handler) return errorPage.handler(req, ctx);
    if (!errorPage?.component) {
      return new Response(ERROR_MESSAGE, { status: 500 });
    }
    return ctx.render();
  }

  /** A `ctx.render` for `page`: sets `ctx.data`; `status` unless `init` has one. */
  #renderer(
    req: Request,
    ctx: FreshContext,
    base: string,
    page: { component?: PageComponent; config?: RouteConfig } | undefined,
    status: number,
  ): FreshContext["render"] {
    return (data, init) => {
      ctx.data = data;
      return this.#render(req, ctx, base, page?.component, page?.config ?? {}, {
        ...init,
        status: init?.status ?? status,
      });
    };
  }

  #render(
    req: Request,
    ctx: FreshContext,
    base: string,
    component: PageComponent | undefined,
    config: RouteConfig,
    init: ResponseInit,
  ): Promise<Response> {
    if (!component) {
      throw new Error(
        `The route ${ctx.route} has no default export to render.`,
      );
    }
    let layouts = config.skipInheritedLayouts
      ? []
      : this.#table.layouts.filter((l) => inScope(l.base, base));
    const cut = layouts.findLastIndex((l) => l.config.skipInheritedLayouts);
    if (cut > 0) layouts = layouts.slice(cut);
    const skipApp = config.skipAppWrapper ||
      layouts.some((l) => l.config.skipAppWrapper);
    const app = skipApp ? undefined : this.#table.app ?? DefaultApp;
    const stack: PageComponent[] = [
      ...(app ? [app] : []),
      ...layouts.map((l) => l.component),
      component,
    ];
    return renderPage({
      req,
      ctx,
      stack,
      status: init.status ?? 200,
      headers: init.headers,
      csp: Boolean(config.csp),
      islands: this.#islandsByFn,
      renderFn: this.config.render,
      assets: this.assets,
    });
  }
}

function DefaultApp({ Component }: { Component: ComponentType }) {
  return h(Component, null);
}
