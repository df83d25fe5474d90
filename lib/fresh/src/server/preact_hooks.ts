/**
 * Preact options hooks active during one synchronous SSR pass: island
 * markers and slots, `<html>`/`<head>`/`<body>` capture, script nonces.
 * preact-render-to-string calls `options.__b` before reading `vnode.type`
 * and `options.diffed` after the subtree, which is what makes this work.
 * @module
 */
import {
  type ComponentChildren,
  Fragment,
  h,
  isValidElement,
  options,
  type VNode,
} from "preact";
import type { Island } from "./islands.ts";

/** Mutable state of one render pass. */
export interface RenderState {
  // deno-lint-ignore ban-types
  islands: Map<Function, Island>;
  /** Props of each rendered island, by marker index. */
  islandProps: unknown[];
  /** Island id of each entry of `islandProps`. */
  islandIds: string[];
  /** Islands rendered on this page. */
  used: Set<Island>;
  /** Nonce for every `<script>`. */
  nonce: string;
  /** Set when a rendered `<script>` got the nonce. */
  usedNonce: boolean;
  /** `<html>` attributes, when `_app` wrote an `<html>`. */
  htmlAttrs?: Record<string, unknown>;
  bodyAttrs?: Record<string, unknown>;
  /** Children of `_app`'s `<head>`. */
  appHead: ComponentChildren[];
  /** Path of the page being rendered, for `aria-current` on links. */
  pathname: string;
  /** > 0 while inside an island's own render. */
  depth: number;
  depthStack: number[];
}

let current: RenderState | null = null;

/** Run `fn` with `state` as the active render state. */
export function withRenderState<T>(state: RenderState, fn: () => T): T {
  const previous = current;
  current = state;
  try {
    return fn();
  } finally {
    current = previous;
  }
}

const ISLAND_INNER = Symbol("frsh-island-inner");
const SLOT = Symbol("frsh-slot");
/** A vnode as the hooks see it (props are rewritten in place). */
interface Marked {
  type: unknown;
  // deno-lint-ignore no-explicit-any
  props: any;
  key?: unknown;
  [ISLAND_INNER]?: true;
  [SLOT]?: true;
}

function comment(text: string): VNode {
  return h(Fragment, { UNSTABLE_comment: text } as Record<string, unknown>);
}

interface SlotProps {
  marker: string;
  children?: ComponentChildren;
}

function IslandSlot(props: SlotProps) {
  return [comment(props.marker), props.children, comment("/" + props.marker)];
}

interface IslandRootProps {
  island: Island;
  index: number;
  markerKey: string;
  props: Record<string, unknown>;
}

function IslandRoot({ island, index, markerKey, props }: IslandRootProps) {
  const marker = `frsh-${island.id}:${index}:${markerKey}`;
  const innerProps = { ...props };
  if (props.children !== undefined && props.children !== null) {
    checkSlotChildren(island, props.children);
    const slot = h(IslandSlot, {
      marker: `frsh-slot-${island.id}:${index}:children`,
    }, props.children) as unknown as Marked;
    slot[SLOT] = true;
    innerProps.children = slot;
  }
  // deno-lint-ignore no-explicit-any
  const inner = h(island.component as any, innerProps) as unknown as Marked;
  inner[ISLAND_INNER] = true;
  return [comment(marker), inner, comment("/" + marker)];
}

function checkSlotChildren(island: Island, children: unknown): void {
  const items = Array.isArray(children) ? children.flat(Infinity) : [children];
  for (const child of items) {
    if (child === null || child === undefined || typeof child === "boolean") {
      continue;
    }
    if (
      typeof child === "string" || typeof child === "number" ||
      isValidElement(child)
    ) continue;
    throw new Error(
      `Invalid JSX child passed to island "${island.id}": only JSX, strings and numbers can be children of an island.`,
    );
  }
}

function onBeforeDiff(vnode: Marked, state: RenderState): void {
  const type = vnode.type;
  if (typeof type === "function") {
    if (vnode[ISLAND_INNER]) {
      state.depth++;
    } else if (vnode[SLOT]) {
      state.depthStack.push(state.depth);
      state.depth = 0;
    } else if (type === IslandRoot) {
      // a vnode object rendered before (e.g. hoisted JSX): register it again
      const root = vnode.props as unknown as IslandRootProps;
      if (state.depth === 0) {
        root.index = state.islandProps.push(root.props) - 1;
        state.islandIds.push(root.island.id);
        state.used.add(root.island);
      } else {
        vnode.type = root.island.component;
        vnode.props = root.props;
      }
    } else if (state.depth === 0) {
      const island = state.islands.get(type);
      if (island) {
        const props = vnode.props as Record<string, unknown>;
        const index = state.islandProps.push(props) - 1;
        state.islandIds.push(island.id);
        state.used.add(island);
        vnode.type = IslandRoot;
        vnode.props = {
          island,
          index,
          // encoded so a key cannot end the comment (`-->`); main.ts decodes it
          markerKey: vnode.key == null
            ? ""
            : encodeURIComponent(String(vnode.key)),
          props,
        } satisfies IslandRootProps;
      }
    }
    return;
  }
  if (typeof type !== "string") return;
  const props = vnode.props as Record<string, unknown>;
  switch (type) {
    case "html":
      state.htmlAttrs = withoutChildren(props);
      vnode.type = Fragment;
      vnode.props = { children: props.children };
      break;
    case "head":
      state.appHead.push(props.children as ComponentChildren);
      vnode.type = Fragment;
      vnode.props = { children: null };
      break;
    case "body":
      state.bodyAttrs = withoutChildren(props);
      vnode.type = Fragment;
      vnode.props = { children: props.children };
      break;
    case "script":
      if (props.nonce === undefined) {
        props.nonce = state.nonce;
        state.usedNonce = true;
      }
      break;
    case "a":
      markCurrentLink(props, state.pathname);
      break;
  }
}

/**
 * Fresh's link marking: a link to this page gets `aria-current="page"`, a
 * link to an ancestor path `aria-current="true"` (plus `data-current` /
 * `data-ancestor` for styling). Attributes the author set are kept.
 */
function markCurrentLink(props: Record<string, unknown>, pathname: string) {
  const href = props.href;
  if (typeof href !== "string" || !href.startsWith("/")) return;
  const target = withoutTrailingSlash(
    new URL(href, "http://localhost").pathname,
  );
  const here = withoutTrailingSlash(pathname);
  if (target === here) {
    props["data-current"] ??= "true";
    props["aria-current"] ??= "page";
  } else if (target === "/" || here.startsWith(`${target}/`)) {
    props["data-ancestor"] ??= "true";
    props["aria-current"] ??= "true";
  }
}

function withoutTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

function withoutChildren(
  props: Record<string, unknown>,
): Record<string, unknown> {
  const { children: _, ...rest } = props;
  return rest;
}

/** Like {@linkcode onBeforeDiff} but for head content: only nonces apply. */
let headOnly = false;

/** Render head vnodes with only the nonce rewrite active. */
export function inHeadMode<T>(fn: () => T): T {
  headOnly = true;
  try {
    return fn();
  } finally {
    headOnly = false;
  }
}

// deno-lint-ignore no-explicit-any
const opts = options as any;
const previousDiff = opts.__b;
opts.__b = (vnode: Marked) => {
  const state = current;
  if (state) {
    if (headOnly) {
      if (vnode.type === "script") onBeforeDiff(vnode, state);
    } else {
      onBeforeDiff(vnode, state);
    }
  }
  previousDiff?.(vnode);
};
const previousDiffed = opts.diffed;
opts.diffed = (vnode: Marked) => {
  const state = current;
  if (state && !headOnly) {
    if (vnode[ISLAND_INNER]) state.depth--;
    else if (vnode[SLOT]) state.depth = state.depthStack.pop() ?? 0;
  }
  previousDiffed?.(vnode);
};
