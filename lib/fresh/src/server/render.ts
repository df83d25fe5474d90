/**
 * Page rendering: resolve the `[_app, ...layouts, page]` stack (awaiting
 * async members), render it once with preact-render-to-string, then write
 * the document around it (head, island state, boot script).
 * @module
 */
import {
  type ComponentChildren,
  type ComponentType,
  h,
  toChildArray,
  type VNode,
} from "preact";
import { renderToString } from "preact-render-to-string";
import type {
  FreshContext,
  PageProps,
  RenderContext,
  RenderFunction,
} from "../types.ts";
import { HEAD_CONTEXT } from "../runtime/head.ts";
import { CSP_CONTEXT, nonce as nonceSource, SELF } from "../runtime/csp.ts";
import {
  inHeadMode,
  type RenderState,
  withRenderState,
} from "./preact_hooks.ts";
import type { Island } from "./islands.ts";
import { serializeIslandProps } from "./serializer.ts";
import { htmlEscapeJsonString } from "./htmlescape.ts";
import { cspHeader, defaultCsp } from "./csp_header.ts";
import { bootScript } from "./boot_script.ts";

/** A sync component or an async `(req, ctx)` route. */
export type PageComponent =
  // deno-lint-ignore no-explicit-any
  | ComponentType<any>
  // deno-lint-ignore no-explicit-any
  | ((req: Request, ctx: any) => Promise<unknown>);

/** What the renderer needs to know about the client bundles. */
export interface AssetInfo {
  /** URL prefix of bundles: `/_frsh/js/<BUILD_ID>`. */
  prefix: string;
  /** Static imports of a bundle file, when a build is known (for modulepreload). */
  dependencies(file: string): string[] | undefined;
}

/** Options of {@linkcode renderPage}. */
export interface RenderPageOptions {
  req: Request;
  ctx: FreshContext;
  stack: PageComponent[];
  status: number;
  headers?: HeadersInit;
  csp: boolean;
  // deno-lint-ignore ban-types
  islands: Map<Function, Island>;
  renderFn: RenderFunction;
  assets: AssetInfo;
}

/** True for `async function` components (Fresh's detection). */
export function isAsyncComponent(fn: unknown): boolean {
  return typeof fn === "function" && fn.constructor.name === "AsyncFunction";
}

const DEFAULT_META =
  '<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1.0">';

/** Render a page to a full HTML Response (or the Response an async member returned). */
export async function renderPage(opts: RenderPageOptions): Promise<Response> {
  const { req, ctx, stack } = opts;
  const uuid = crypto.randomUUID();
  const csp = opts.csp ? defaultCsp() : undefined;

  const { render: _r, next: _n, renderNotFound: _nf, ...pageProps } = ctx;

  // One component per layer; layer i renders stack[i] with Component = layer i+1.
  const layers: ComponentType[] = [];
  const resolved: (VNode | ComponentChildren)[] = [];
  for (let i = 0; i < stack.length; i++) {
    layers.push(function Layer() {
      const member = stack[i];
      if (isAsyncComponent(member)) return resolved[i] as VNode;
      const props: PageProps = {
        ...pageProps,
        Component: layers[i + 1] ?? Empty,
      };
      return h(member as ComponentType<PageProps>, props);
    });
  }
  for (let i = 0; i < stack.length; i++) {
    const member = stack[i];
    if (!isAsyncComponent(member)) continue;
    const layerCtx = Object.create(ctx) as FreshContext;
    layerCtx.Component = (layers[i + 1] ?? Empty) as FreshContext["Component"];
    const out =
      await (member as (r: Request, c: FreshContext) => Promise<unknown>)(
        req,
        layerCtx,
      );
    if (out instanceof Response) return out;
    resolved[i] = out as ComponentChildren;
  }

  const headCollected: ComponentChildren[] = [];
  const state: RenderState = {
    islands: opts.islands,
    islandProps: [],
    islandIds: [],
    used: new Set(),
    nonce: crypto.randomUUID().replaceAll("-", ""),
    usedNonce: false,
    appHead: [],
    pathname: ctx.url.pathname,
    depth: 0,
    depthStack: [],
  };
  const root = h(
    CSP_CONTEXT.Provider,
    { value: csp },
    h(
      HEAD_CONTEXT.Provider,
      { value: headCollected },
      layers.length ? h(layers[0], null) : null,
    ),
  );

  let bodyHtml: string | null = null;
  const renderCtx: RenderContext = {
    id: uuid,
    url: ctx.url,
    route: ctx.route,
    lang: "en",
    state: new Map(),
    styles: [],
  };
  await opts.renderFn(renderCtx, () => {
    bodyHtml = withRenderState(state, () => renderToString(root));
    return bodyHtml;
  });
  if (bodyHtml === null) {
    throw new Error("The render function did not call render().");
  }

  const scripts: string[] = [];
  const preloads = new Set<string>();
  if (state.used.size > 0) {
    const serialized = serializeIslandProps(state.islandProps, state.islandIds);
    const stateId = `__FRSH_STATE_${uuid}`;
    scripts.push(
      `<script id="${stateId}" type="application/json" nonce="${state.nonce}">${
        htmlEscapeJsonString(serialized.json)
      }</script>`,
    );
    const boot = bootScript({
      prefix: opts.assets.prefix,
      islands: [...state.used],
      stateId,
      deserializer: serialized.requiresDeserializer,
      signals: serialized.hasSignals,
    });
    scripts.push(
      `<script type="module" nonce="${state.nonce}">${boot.code}</script>`,
    );
    for (const file of boot.files) addPreload(file, opts.assets, preloads);
    state.usedNonce = true;
  }
  if (csp && state.usedNonce) {
    csp.directives.scriptSrc = [
      ...csp.directives.scriptSrc ?? [],
      nonceSource(state.nonce),
    ];
    if (state.used.size > 0) csp.directives.scriptSrc.push(SELF);
  }

  // <head>: defaults, last title, _app head, modulepreloads, render styles,
  // <Head> children (deduped).
  const headNodes = dedupeHead(headCollected);
  if (renderCtx.styles.length > 0) {
    headNodes.unshift(h<Record<string, unknown>>("style", {
      id: "__FRSH_STYLE",
      dangerouslySetInnerHTML: { __html: renderCtx.styles.join("\n") },
    }));
  }
  const appHeadNodes = state.appHead.flatMap((c) => toChildArray(c));
  const titles = [...appHeadNodes, ...headNodes].filter(isTitle);
  const title = titles[titles.length - 1];
  const headHtml = withRenderState(
    state,
    () =>
      inHeadMode(() =>
        renderToString(
          h("x-head", null, title, appHeadNodes.filter((n) => !isTitle(n))),
        ) +
        [...preloads].map((url) => `<link rel="modulepreload" href="${url}">`)
          .join("") +
        renderToString(h("x-head", null, headNodes.filter((n) => !isTitle(n))))
      ),
  ).replaceAll(/<\/?x-head>/g, "");

  const html = "<!DOCTYPE html>" +
    `<html${attrs(state.htmlAttrs ?? { lang: renderCtx.lang })}>` +
    `<head>${state.htmlAttrs ? "" : DEFAULT_META}${headHtml}</head>` +
    `<body${attrs(state.bodyAttrs ?? {})}>${bodyHtml}${
      scripts.join("")
    }</body></html>`;

  const headers = new Headers({
    "content-type": "text/html; charset=utf-8",
    "x-fresh-uuid": uuid,
  });
  for (const [k, v] of new Headers(opts.headers)) headers.set(k, v);
  if (csp) headers.set(...cspHeader(csp));
  return new Response(html, { status: opts.status, headers });
}

function Empty() {
  return null;
}

function addPreload(file: string, assets: AssetInfo, out: Set<string>): void {
  const url = `${assets.prefix}/${file}`;
  const deps = assets.dependencies(file);
  if (deps === undefined || out.has(url)) return;
  out.add(url);
  for (const dep of deps) addPreload(dep, assets, out);
}

function isTitle(node: unknown): boolean {
  return typeof node === "object" && node !== null &&
    (node as VNode).type === "title";
}

function dedupeHead(collected: ComponentChildren[]): VNode[] {
  const nodes = collected.flatMap((c) => toChildArray(c)) as VNode[];
  const lastByKey = new Map<unknown, number>();
  nodes.forEach((n, i) => {
    if (typeof n === "object" && n.key != null) lastByKey.set(n.key, i);
  });
  return nodes.filter((n, i) =>
    typeof n !== "object" || n.key == null || lastByKey.get(n.key) === i
  );
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(
    /</g,
    "&lt;",
  );
}

function attrs(props: Record<string, unknown>): string {
  let out = "";
  for (let [name, value] of Object.entries(props)) {
    if (
      value === null || value === undefined || value === false ||
      typeof value === "function"
    ) continue;
    if (name === "className") name = "class";
    out += value === true
      ? ` ${name}`
      : ` ${name}="${escapeAttr(String(value))}"`;
  }
  return out;
}
