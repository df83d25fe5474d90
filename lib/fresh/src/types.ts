/**
 * Public types of the Fresh-1.x-compatible runtime. Generic order follows
 * Fresh: `FreshContext<State, Data>` but `PageProps<Data, State>`.
 * @module
 */
import type { ComponentChildren, ComponentType, VNode } from "preact";

/** Where a request is routed to. */
export type DestinationKind = "internal" | "static" | "route" | "notFound";

/** `Deno.ServeHandlerInfo` plus the `localAddr` Fresh used to fake. */
export type ServeHandlerInfo = Deno.ServeHandlerInfo & {
  /** @deprecated Fresh 1.x kept it for compatibility. */
  localAddr?: Deno.NetAddr;
};

/** Options for `ctx.render`: a plain ResponseInit. */
export type RenderOptions = ResponseInit;

/** The context given to handlers, middleware and async components. */
export interface FreshContext<
  State = Record<string, unknown>,
  // deno-lint-ignore no-explicit-any
  Data = any,
  NotFoundData = Data,
> {
  /** The request URL with repeated slashes collapsed in its pathname. */
  url: URL;
  /** Matched route parameters (an unmatched optional one is `""`). */
  params: Record<string, string>;
  /** The matched pattern, e.g. `/greet/:name`. */
  route: string;
  /** @deprecated Use {@linkcode FreshContext.route} instead. */
  readonly pattern: string;
  /** Always `""`: basePath is not supported by this runtime. */
  basePath: string;
  /** What the router chose for this request. */
  destination: DestinationKind;
  /** Always false: partials are not supported by this runtime. */
  isPartial: boolean;
  /** The client's address. */
  remoteAddr: Deno.NetAddr;
  /** @deprecated Fresh faked it; kept for compatibility. */
  localAddr?: Deno.NetAddr;
  /** Per-request state shared by middleware and routes (`{}` at start). */
  state: State;
  /** The resolved configuration. */
  config: ResolvedFreshConfig;
  /** Data passed to `ctx.render(data)`. */
  data: Data;
  /** The error, on the `_500` page. */
  error?: unknown;
  /** Never set by this runtime (Fresh's dev overlay). */
  codeFrame?: unknown;
  /** Render the page of the matched route with `data`. */
  render: (
    data?: Data,
    options?: RenderOptions,
  ) => Response | Promise<Response>;
  /** Render the `_404` page with status 404. */
  renderNotFound: (data?: NotFoundData) => Response | Promise<Response>;
  /** Call the next middleware, or the route. */
  next: () => Promise<Response>;
  /** The inner layer, in apps and layouts. */
  Component: ComponentType<Record<string, never>>;
}

/** Props of pages, apps and layouts. */
// deno-lint-ignore no-explicit-any
export type PageProps<T = any, S = Record<string, unknown>> = Omit<
  FreshContext<S, T>,
  "render" | "next" | "renderNotFound"
>;

/** The context of async route components. */
// deno-lint-ignore no-explicit-any
export type RouteContext<T = any, S = Record<string, unknown>> = Omit<
  FreshContext<S, T>,
  "next" | "render"
>;

/** A request handler of a route. */
// deno-lint-ignore no-explicit-any
export type Handler<T = any, State = Record<string, unknown>> = (
  req: Request,
  ctx: FreshContext<State, T>,
) => Response | Promise<Response>;

/** Per-method handlers of a route. */
// deno-lint-ignore no-explicit-any
export type Handlers<T = any, State = Record<string, unknown>> = {
  [K in KnownMethod]?: Handler<T, State>;
};

/** The methods a {@linkcode Handlers} object may define. */
export type KnownMethod =
  | "GET"
  | "HEAD"
  | "POST"
  | "PUT"
  | "DELETE"
  | "OPTIONS"
  | "PATCH";

/** A middleware function. */
export type MiddlewareHandler<State = Record<string, unknown>> = (
  req: Request,
  ctx: FreshContext<State>,
) => Response | Promise<Response>;

/** The handler of `_404`. */
export type UnknownHandler = (
  req: Request,
  ctx: FreshContext,
) => Response | Promise<Response>;
/** The handler of `_500`. */
export type ErrorHandler = (
  req: Request,
  ctx: FreshContext,
) => Response | Promise<Response>;

/** The `config` export of a route. */
export interface RouteConfig {
  /** A URLPattern pathname that replaces the file-derived one. */
  routeOverride?: string;
  /** Send a Content-Security-Policy header for this route. */
  csp?: boolean;
  /** Ignore layouts of parent folders. */
  skipInheritedLayouts?: boolean;
  /** Do not wrap in `_app`. */
  skipAppWrapper?: boolean;
}

/** The `config` export of a layout. */
export interface LayoutConfig {
  /** Ignore layouts of parent folders. */
  skipInheritedLayouts?: boolean;
  /** Do not wrap in `_app`. */
  skipAppWrapper?: boolean;
}

/** The generated manifest (`fresh.gen.ts`). */
export interface Manifest {
  // deno-lint-ignore no-explicit-any
  routes: Record<string, any>;
  // deno-lint-ignore no-explicit-any
  islands: Record<string, any>;
  /** `import.meta.url` of `fresh.gen.ts`. */
  baseUrl: string;
}

/** Configuration accepted by `start`, `createHandler` and `dev`. */
export interface FreshConfig {
  build?: {
    /** Build output directory. @default {"<project>/_fresh"} (env FRESH_OUT_DIR overrides) */
    outDir?: string;
    /** esbuild targets. @default {["chrome99","firefox99","safari15"]} */
    target?: string | string[];
  };
  /** Wraps rendering; must call `render()`. */
  render?: RenderFunction;
  /** Directory of static files. @default {"<project>/static"} */
  staticDir?: string;
  router?: RouterOptions;
  /** Options for `Deno.serve`. */
  server?: ServeOptions;
  /** @deprecated Use `server.port` instead. */
  port?: number;
  /** @deprecated Use `server.hostname` instead. */
  hostname?: string;
  /** @deprecated Use `server.cert` instead. */
  cert?: string;
  /** @deprecated Use `server.key` instead. */
  key?: string;
  /** @deprecated Use `server.reusePort` instead. */
  reusePort?: boolean;
  /** @deprecated Use `server.signal` instead. */
  signal?: AbortSignal;
  /** @deprecated Use `server.onListen` instead. */
  onListen?: (addr: Deno.NetAddr) => void;
  /** @deprecated Use `server.onError` instead. */
  onError?: (error: unknown) => Response | Promise<Response>;
}

/** `config.router`. */
export interface RouterOptions {
  /** Not supported by this runtime: must be false or unset. */
  trailingSlash?: boolean;
  /** Files in routes/ and islands/ to ignore. @default {/[._]test\.[tj]sx?$/} */
  ignoreFilePattern?: RegExp;
  /** Not supported by this runtime: must be unset or `""`. */
  basePath?: string;
}

/** Options passed to `Deno.serve` (TCP, optionally with a TLS cert and key). */
export type ServeOptions = Partial<
  Deno.ServeTcpOptions & Deno.TlsCertifiedKeyPem
>;

/** `FreshConfig` plus the dev flag used by `createHandler`. */
export type FromManifestConfig = FreshConfig & { dev?: boolean };

/** The configuration after defaults are applied. */
export interface ResolvedFreshConfig {
  dev: boolean;
  build: { outDir: string; target: string | string[] };
  render: RenderFunction;
  plugins: never[];
  staticDir: string;
  router?: RouterOptions;
  server: ServeOptions;
  basePath: string;
}

/** What `config.render` receives. */
export interface RenderContext {
  /** Unique id of this render. */
  readonly id: string;
  /** The page URL. */
  readonly url: URL;
  /** The matched route pattern. */
  readonly route: string;
  /** `<html lang>` when `_app` writes no `<html>`. @default {"en"} */
  lang: string;
  /** Free-form state for the render function. */
  readonly state: Map<string, unknown>;
  /** CSS inlined into a `<style id="__FRSH_STYLE">`. */
  readonly styles: string[];
}

/** The `render` callback a {@linkcode RenderFunction} must call. */
export type InnerRenderFunction = () => string;

/** A render hook: must call `render()` exactly once. */
export type RenderFunction = (
  ctx: RenderContext,
  render: InnerRenderFunction,
) => void | Promise<void>;

/** Result of `define*` helpers and async route components. */
export type AsyncRoute<State> = (
  req: Request,
  ctx: RouteContext<void, State>,
) => Promise<ComponentChildren | Response>;

/** Children of `<Head>`, and the like. */
export type { ComponentChildren, VNode };

/** @deprecated Use {@linkcode FreshContext} instead. Note: Data comes first. */
export type HandlerContext<
  Data = unknown,
  State = Record<string, unknown>,
  NotFoundData = Data,
> = FreshContext<State, Data, NotFoundData>;
/** @deprecated Use {@linkcode FreshContext} instead. */
export type AppContext<T = unknown, S = Record<string, unknown>> = FreshContext<
  S,
  T
>;
/** @deprecated Use {@linkcode FreshContext} instead. */
export type LayoutContext<T = unknown, S = Record<string, unknown>> =
  FreshContext<S, T>;
/** @deprecated Use {@linkcode FreshContext} instead. */
export type MiddlewareHandlerContext<S = Record<string, unknown>> =
  FreshContext<S>;
/** @deprecated Use {@linkcode FreshContext} instead. */
export type UnknownHandlerContext<S = Record<string, unknown>> = FreshContext<
  S
>;
/** @deprecated Use {@linkcode FreshContext} instead. */
export type ErrorHandlerContext<S = Record<string, unknown>> = FreshContext<S>;
/** @deprecated Use {@linkcode PageProps} instead. */
// deno-lint-ignore no-explicit-any
export type AppProps<T = any, S = Record<string, unknown>> = PageProps<T, S>;
/** @deprecated Use {@linkcode PageProps} instead. */
// deno-lint-ignore no-explicit-any
export type LayoutProps<T = any, S = Record<string, unknown>> = PageProps<T, S>;
/** @deprecated Use {@linkcode PageProps} instead. */
// deno-lint-ignore no-explicit-any
export type UnknownPageProps<T = any, S = Record<string, unknown>> = PageProps<
  T,
  S
>;
/** @deprecated Use {@linkcode PageProps} instead. */
export type ErrorPageProps = PageProps;
/** @deprecated Use {@linkcode Handlers} instead. */
// deno-lint-ignore no-explicit-any
export type MultiHandler<T = any> = Handlers<T>;
/** @deprecated Use {@linkcode FreshConfig} instead. */
export type StartOptions = FreshConfig;
/** @deprecated Use {@linkcode FreshConfig} instead. */
export type FreshOptions = FreshConfig;
