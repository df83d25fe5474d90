import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

/** Props of {@linkcode AutoScrollList}. */
export interface AutoScrollListProps {
  /** How many items there are; the list scrolls when it grows. */
  count: number;
  label: string;
  empty: ComponentChildren;
  children: ComponentChildren;
  testId?: string;
}

/** An ordered list that keeps its newest item in view, unless the reader scrolled up. */
export function AutoScrollList(
  { count, label, empty, children, testId }: AutoScrollListProps,
) {
  const ref = useRef<HTMLOListElement>(null);
  const pinned = useRef(true);
  useEffect(() => {
    const list = ref.current;
    if (list && pinned.current) list.scrollTop = list.scrollHeight;
  }, [count]);
  return (
    <ol
      ref={ref}
      class="feed"
      aria-label={label}
      data-testid={testId}
      onScroll={(e) => {
        const list = e.currentTarget;
        pinned.current =
          list.scrollHeight - list.scrollTop - list.clientHeight < 40;
      }}
    >
      {children}
      {count === 0 && <li class="feed-empty">{empty}</li>}
    </ol>
  );
}
