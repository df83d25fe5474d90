/**
 * The manifest's `routes` split into pages, layouts, middlewares and the
 * special files, with patterns and default method handlers.
 * @module
 */
import type { ComponentType } from "preact";
import type {
  Handler,
  Handlers,
  Manifest,
  MiddlewareHandler,
  RouteConfig,
} from "../types.ts";
import {
  baseRoute,
  compareRoutePaths,
  compilePattern,
  pathToPattern,
  type PatternMatcher,
} from "./router.ts";
import type { PageComponent } from "./render.ts";

/** A page or API route. */
export interface Route {
  /** Path under routes/ without extension, e.g. `blog/[slug]`. */
  path: string;
  base: string;
  matcher: PatternMatcher;
  /** Function handler, or per-method handlers (with defaults filled in). */
  handler: Handler | Handlers;
  component?: PageComponent;
  config: RouteConfig;
}

/** A `_layout` file. */
export interface Layout {
  base: string;
  component: PageComponent;
  config: { skipInheritedLayouts?: boolean; skipAppWrapper?: boolean };
}

/** A `_middleware` file. */
export interface Middleware {
  base: string;
  handlers: MiddlewareHandler[];
}

/** `_404` / `_500`. */
export interface SpecialPage {
  component?: PageComponent;
  handler?: Handler;
}

/** Everything routing needs. */
export interface RouteTable {
  routes: Route[];
  layouts: Layout[];
  middlewares: Middleware[];
  app?: PageComponent;
  notFound?: SpecialPage;
  error?: SpecialPage;
}

const renderGet: Handler = (_req, ctx) => ctx.render();

/** Build the route table; throws on `handlers` exports and route conflicts. */
export function buildRouteTable(manifest: Manifest): RouteTable {
  const table: RouteTable = { routes: [], layouts: [], middlewares: [] };
  const keys = Object.keys(manifest.routes)
    .map((key) => ({
      key,
      path: key.replace(/^\.\/routes\//, "").replace(/\.(tsx|ts|jsx|js)$/, ""),
    }))
    .sort((a, b) => compareRoutePaths(a.path, b.path));
  const seen = new Map<string, string>();
  for (const { key, path } of keys) {
    // deno-lint-ignore no-explicit-any
    const mod = manifest.routes[key] as Record<string, any>;
    const parts = path.split("/");
    const name = parts[parts.length - 1];
    if (parts.some((p) => p.startsWith("(_"))) continue;
    if ("handlers" in mod) {
      throw new Error(`${key} exports "handlers"; did you mean "handler"?`);
    }
    if (seen.has(path)) {
      throw new Error(`Route conflict detected: ${seen.get(path)} and ${key}`);
    }
    seen.set(path, key);
    const base = baseRoute(path);
    if (name === "_app" && parts.length === 1) {
      table.app = mod.default;
    } else if (name === "_layout") {
      if (mod.default) {
        table.layouts.push({
          base,
          component: mod.default,
          config: mod.config ?? {},
        });
      }
    } else if (name === "_middleware") {
      const handlers = Array.isArray(mod.handler)
        ? mod.handler
        : mod.handler
        ? [mod.handler]
        : [];
      table.middlewares.push({ base, handlers });
    } else if (name === "_404" && parts.length === 1) {
      table.notFound = { component: mod.default, handler: mod.handler };
    } else if (name === "_500" && parts.length === 1) {
      table.error = { component: mod.default, handler: mod.handler };
    } else if (!name.startsWith("_")) {
      const config: RouteConfig = mod.config ?? {};
      const pattern = config.routeOverride ?? pathToPattern(path);
      let handler: Handler | Handlers;
      if (typeof mod.handler === "function") {
        handler = mod.handler;
      } else {
        handler = { ...(mod.handler ?? {}) } as Handlers;
        if (mod.default && !handler.GET) handler.GET = renderGet;
      }
      table.routes.push({
        path,
        base,
        matcher: compilePattern(pattern),
        handler,
        component: mod.default as ComponentType | undefined,
        config,
      });
    }
  }
  return table;
}
