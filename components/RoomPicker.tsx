/**
 * The room name form. It needs no JavaScript: the browser checks the name
 * against the same rule as `isValidRoomName`, and the GET to `/rooms`
 * redirects to the room (or explains a bad name with a 400 page).
 */
export function RoomPicker({ initial = "" }: { initial?: string }) {
  return (
    <form class="room-picker" action="/rooms" method="get">
      <label for="room-name">Room name</label>
      <div class="composer-row">
        <input
          id="room-name"
          name="room"
          type="text"
          placeholder="e.g. lobby"
          required
          maxLength={32}
          pattern="[A-Za-z0-9._\-]{1,32}"
          title="1 to 32 letters, digits, '.', '_' or '-' (no spaces)"
          autocomplete="off"
          value={initial}
        />
        <button type="submit" class="button">Open room</button>
      </div>
    </form>
  );
}
