import type { TrackedMessage } from "../lib/client/socket_client.ts";

const STATUS_LABEL: Record<TrackedMessage["status"], string> = {
  queued: "queued",
  pending: "sent",
  processing: "processing",
  done: "done",
  failed: "failed",
};

/** Seconds with one decimal, e.g. `1.2 s`. */
export function formatSeconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}

/** One sent message: its text, status, and result or error once known. */
export function OutgoingItem(
  { message, now }: { message: TrackedMessage; now: number },
) {
  const { status } = message;
  const waiting = status === "pending" || status === "processing";
  return (
    <li
      class={`item item-${status}`}
      data-status={status}
      data-id={message.id}
    >
      <div class="item-head">
        <span class={`badge badge-${status}`}>{STATUS_LABEL[status]}</span>
        {message.time && <time class="item-time">{message.time}</time>}
        {waiting && message.sentAt !== undefined && (
          <span class="item-elapsed">
            {formatSeconds(now - message.sentAt)}
          </span>
        )}
        {status === "done" && message.elapsedMs !== undefined && (
          <span class="item-elapsed">
            {formatSeconds(message.elapsedMs)} on the server
          </span>
        )}
        {message.processor && (
          <span class="item-processor">{message.processor}</span>
        )}
      </div>
      {status === "done"
        ? (
          <p class="item-body">
            <span class="result">{message.result}</span>
            <span class="source">from “{message.text}”</span>
          </p>
        )
        : <p class="item-body">{message.text}</p>}
      {status === "queued" && (
        <p class="item-note">Will be sent when the connection is back.</p>
      )}
      {status === "failed" && (
        <p class="item-note item-error">
          {message.error?.message ?? "Failed"}
          {message.error?.code && <code>{message.error.code}</code>}
        </p>
      )}
    </li>
  );
}
