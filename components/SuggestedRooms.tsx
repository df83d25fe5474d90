/** Rooms suggested on the home page and the room directory. */
export const SUGGESTED_ROOMS = ["lobby", "random", "help", "deno-fans"];

/** Links to a few rooms. */
export function SuggestedRooms() {
  return (
    <ul class="chips" aria-label="Suggested rooms">
      {SUGGESTED_ROOMS.map((room) => (
        <li key={room}>
          <a class="chip" href={`/rooms/${room}`}>#{room}</a>
        </li>
      ))}
    </ul>
  );
}
