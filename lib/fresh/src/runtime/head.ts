/**
 * `<Head>`: children end up in the document's `<head>` during SSR.
 * @module
 */
import { type ComponentChildren, createContext, type VNode } from "preact";
import { useContext } from "preact/hooks";

/** Props of {@linkcode Head}. */
export interface HeadProps {
  /** Elements to place in `<head>`. */
  children?: ComponentChildren;
}

/** The server collects `<Head>` children in the array this context holds. */
export const HEAD_CONTEXT = createContext<ComponentChildren[] | undefined>(
  undefined,
);

/** Put `children` into the document head. Renders nothing in place. */
export function Head(props: HeadProps): VNode | null {
  const collected = useContext(HEAD_CONTEXT);
  collected?.push(props.children);
  return null;
}
