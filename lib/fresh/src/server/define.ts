/**
 * `defineConfig`, `defineRoute`, `defineLayout`, `defineApp`.
 * @module
 */
import type { ComponentChildren } from "preact";
import type { FreshConfig, RouteContext } from "../types.ts";

/** Identity helper for typing `fresh.config.ts`. */
export function defineConfig(config: FreshConfig): FreshConfig {
  return config;
}

type RouteFn<State> = (
  req: Request,
  ctx: RouteContext<void, State>,
) => ComponentChildren | Response | Promise<ComponentChildren | Response>;

/** An async route `(req, ctx)`; sync functions are wrapped so they count as async. */
export type DefinedRoute<State> = (
  req: Request,
  ctx: RouteContext<void, State>,
) => Promise<ComponentChildren | Response>;

function toAsync<State>(fn: RouteFn<State>): DefinedRoute<State> {
  if (fn.constructor.name === "AsyncFunction") return fn as DefinedRoute<State>;
  return async (req, ctx) => await fn(req, ctx);
}

/** Define a route component that receives `(req, ctx)`. */
export function defineRoute<State = Record<string, unknown>>(
  fn: RouteFn<State>,
): DefinedRoute<State> {
  return toAsync(fn);
}

/** Define a layout that receives `(req, ctx)` and renders `ctx.Component`. */
export function defineLayout<State = Record<string, unknown>>(
  fn: RouteFn<State>,
): DefinedRoute<State> {
  return toAsync(fn);
}

/** Define `_app` as `(req, ctx)`, rendering `ctx.Component`. */
export function defineApp<State = Record<string, unknown>>(
  fn: RouteFn<State>,
): DefinedRoute<State> {
  return toAsync(fn);
}
