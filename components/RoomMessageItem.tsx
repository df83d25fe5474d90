import type { RoomMessage } from "../lib/protocol.ts";

/** One message in a room: who, when, and the processed text. */
export function RoomMessageItem(
  { message, mine }: { message: RoomMessage; mine: boolean },
) {
  return (
    <li
      class={mine ? "item item-room item-mine" : "item item-room"}
      data-seq={message.seq}
    >
      <div class="item-head">
        <strong class="item-from">{message.from}</strong>
        <time class="item-time">{message.time}</time>
        <span class="item-processor">{message.processor}</span>
      </div>
      <p class="item-body">
        <span class="result">{message.message}</span>
        {message.text !== message.message && (
          <span class="source">from “{message.text}”</span>
        )}
      </p>
    </li>
  );
}
