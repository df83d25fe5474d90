import { useSignal } from "@preact/signals";
import type { JSX } from "preact";
import { IS_BROWSER } from "$fresh/runtime.ts";
import { isValidRoomName } from "../lib/protocol.ts";

/** A room name field that goes to `/rooms/<name>`; without JS the form's GET to `/rooms` does the same. */
export default function RoomPicker({ initial = "" }: { initial?: string }) {
  const room = useSignal(initial);
  const hint = useSignal<string | null>(null);
  const submit = (event: JSX.TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = room.value.trim();
    if (!isValidRoomName(value)) {
      hint.value =
        "Room names are 1 to 32 letters, digits, '.', '_' or '-' (no spaces).";
      return;
    }
    hint.value = null;
    location.assign(`/rooms/${encodeURIComponent(value)}`);
  };
  return (
    <form
      class="room-picker"
      action="/rooms"
      method="get"
      onSubmit={IS_BROWSER ? submit : undefined}
      noValidate
    >
      <label for="room-name">Room name</label>
      <div class="composer-row">
        <input
          id="room-name"
          name="room"
          type="text"
          placeholder="e.g. lobby"
          maxLength={32}
          autocomplete="off"
          value={room.value}
          aria-invalid={hint.value ? "true" : undefined}
          aria-describedby={hint.value ? "room-hint" : undefined}
          onInput={(e) => room.value = e.currentTarget.value}
        />
        <button type="submit" class="button">Open room</button>
      </div>
      {hint.value && (
        <p id="room-hint" class="hint" role="alert">{hint.value}</p>
      )}
    </form>
  );
}
