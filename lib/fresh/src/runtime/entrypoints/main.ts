/**
 * Browser entry `main.js`: find island markers left by SSR and render each
 * island with Preact into the DOM between its markers, reusing that DOM.
 * Slot (`children`) content is turned back into vnodes from the DOM.
 * @module
 */
import {
  type ComponentChildren,
  type ComponentType,
  h,
  render,
  type VNode,
} from "preact";

type Islands = Record<string, ComponentType>;

const ISLAND_RE = /^frsh-(?!slot-)([^:]+):(\d+):(.*)$/;

interface Found {
  vnode: VNode;
  start: Comment;
  end: Comment;
}

/** Revive every top-level island on the page. */
export function revive(islands: Islands, props: unknown[]): void {
  const found: Found[] = [];
  walk(document.body, islands, props, found);
  for (const item of found) schedule(() => mount(item));
}

function schedule(fn: () => void): void {
  // deno-lint-ignore no-explicit-any
  const scheduler = (globalThis as any).scheduler;
  if (scheduler?.postTask) scheduler.postTask(fn);
  else setTimeout(fn, 0);
}

function endMarker(start: Comment): Comment {
  const closing = "/" + start.data;
  for (let node = start.nextSibling; node; node = node.nextSibling) {
    if (
      node.nodeType === Node.COMMENT_NODE && (node as Comment).data === closing
    ) return node as Comment;
  }
  throw new Error(`Missing closing marker for <!--${start.data}-->`);
}

/** Find top-level islands under `parent` (islands inside islands are rendered by their host). */
function walk(
  parent: Node,
  islands: Islands,
  props: unknown[],
  found: Found[],
): void {
  let node = parent.firstChild;
  while (node) {
    if (
      node.nodeType === Node.COMMENT_NODE &&
      ISLAND_RE.test((node as Comment).data)
    ) {
      const start = node as Comment;
      const end = endMarker(start);
      found.push({
        vnode: islandVNode(start, end, islands, props),
        start,
        end,
      });
      node = end.nextSibling;
      continue;
    }
    if (
      node.nodeType === Node.ELEMENT_NODE &&
      (node as Element).localName !== "script"
    ) {
      walk(node, islands, props, found);
    }
    node = node.nextSibling;
  }
}

function islandVNode(
  start: Comment,
  end: Comment,
  islands: Islands,
  props: unknown[],
): VNode {
  const [, id, index, key] = ISLAND_RE.exec(start.data)!;
  const component = islands[id];
  if (!component) throw new Error(`Island "${id}" was not loaded`);
  const islandProps: Record<string, unknown> = {
    ...(props[Number(index)] as object),
  };
  if (key) islandProps.key = decodeURIComponent(key);
  const slot = findSlot(
    start.nextSibling,
    end,
    `frsh-slot-${id}:${index}:children`,
  );
  if (slot) {
    islandProps.children = domToVNodes(
      slot.start.nextSibling,
      slot.end,
      islands,
      props,
    );
  }
  return h(component, islandProps);
}

function findSlot(
  first: Node | null,
  until: Node | null,
  marker: string,
): { start: Comment; end: Comment } | null {
  for (let node = first; node && node !== until; node = node.nextSibling) {
    if (
      node.nodeType === Node.COMMENT_NODE && (node as Comment).data === marker
    ) {
      return { start: node as Comment, end: endMarker(node as Comment) };
    }
    if (node.nodeType === Node.ELEMENT_NODE) {
      const inner = findSlot(node.firstChild, null, marker);
      if (inner) return inner;
    }
  }
  return null;
}

/** Server-rendered DOM (slot content) back into vnodes, so Preact reuses it. */
function domToVNodes(
  from: Node | null,
  until: Node | null,
  islands: Islands,
  props: unknown[],
): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  for (let node = from; node && node !== until; node = node.nextSibling) {
    if (node.nodeType === Node.TEXT_NODE) {
      out.push((node as Text).data);
    } else if (node.nodeType === Node.COMMENT_NODE) {
      const data = (node as Comment).data;
      if (ISLAND_RE.test(data)) {
        const end = endMarker(node as Comment);
        out.push(islandVNode(node as Comment, end, islands, props));
        node = end;
      }
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      const el = node as Element;
      const attrs: Record<string, unknown> = {};
      for (const attr of Array.from(el.attributes)) {
        attrs[attr.name] = attr.value;
      }
      const children = el.localName === "template"
        ? []
        : domToVNodes(el.firstChild, null, islands, props);
      out.push(h(el.localName, attrs, ...children));
    }
  }
  return out;
}

/**
 * A stand-in parent that spans the nodes between two markers, so Preact
 * diffs only the island's own DOM.
 */
function rootFragment(start: Comment, end: Comment): Element {
  const parent = start.parentNode as Element;
  const between = () => {
    const nodes: Node[] = [];
    for (let n = start.nextSibling; n && n !== end; n = n.nextSibling) {
      nodes.push(n);
    }
    return nodes;
  };
  const fake = {
    nodeType: 1,
    parentNode: parent,
    namespaceURI: parent.namespaceURI,
    ownerDocument: parent.ownerDocument,
    get firstChild() {
      const first = start.nextSibling;
      return first === end ? null : first;
    },
    get childNodes() {
      return between();
    },
    insertBefore(node: Node, ref: Node | null) {
      return parent.insertBefore(node, ref ?? end);
    },
    appendChild(node: Node) {
      return parent.insertBefore(node, end);
    },
    removeChild(node: Node) {
      return parent.removeChild(node);
    },
    contains(node: Node) {
      return between().some((n) => n === node || n.contains(node));
    },
  };
  return fake as unknown as Element;
}

function mount({ vnode, start, end }: Found): void {
  render(vnode, rootFragment(start, end));
}
