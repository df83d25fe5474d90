/**
 * A worker for pool tests: `ok` echoes, `fail` throws inside the task,
 * `crash` throws outside any task (an uncaught error that kills the worker),
 * `spin` busy-loops for `input` ms.
 *
 * @module
 */

/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />

self.onmessage = (event: MessageEvent) => {
  const { id, kind, input } = event.data;
  if (kind === "crash") {
    setTimeout(() => {
      throw new Error("boom");
    });
    return;
  }
  if (kind === "fail") {
    self.postMessage({ id, ok: false, error: "task failed" });
    return;
  }
  if (kind === "spin") {
    const end = Date.now() + Number(input);
    while (Date.now() < end) { /* busy */ }
  }
  self.postMessage({ id, ok: true, value: input });
};
