import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { AutoScrollList } from "../components/AutoScrollList.tsx";
import { ConnectionStatus } from "../components/ConnectionStatus.tsx";
import { MessageForm } from "../components/MessageForm.tsx";
import { NameForm } from "../components/NameForm.tsx";
import { OutgoingItem } from "../components/OutgoingItem.tsx";
import { RoomMessageItem } from "../components/RoomMessageItem.tsx";
import { BEFORE_MOUNT, useLiveClient, useNow } from "../lib/client/hooks.ts";
import { roomStore } from "../lib/client/room_store.ts";
import { isValidDisplayName } from "../lib/protocol.ts";

/** localStorage key of the remembered display name. */
export const NAME_KEY = "realtime.displayName";

/** A chat room: pick a name, then see history, live messages and who is online. */
export default function Room({ room }: { room: string }) {
  const live = useLiveClient((client) => roomStore(client, room));
  const now = useNow(500);
  const name = useSignal<string | null>(null);
  const editing = useSignal(false);

  useEffect(() => {
    const saved = readName();
    if (saved) name.value = saved;
    else editing.value = true;
  }, []);

  const current = live.value;
  const chosen = name.value;
  useEffect(() => {
    if (current && chosen) current.client.join(room, chosen);
  }, [current, chosen]);

  const snapshot = current?.connection.value ?? BEFORE_MOUNT;
  const stores = current?.stores;
  const messages = stores?.messages.value ?? [];
  const outbox = stores?.outbox.value ?? [];
  const online = stores?.online.value ?? 0;
  const joined = stores?.joined.value ?? false;

  return (
    <section class="card room" aria-labelledby="room-title">
      <header class="card-head">
        <h2 id="room-title">
          <span class="room-hash" aria-hidden="true">#</span>
          {room}
        </h2>
        {joined && (
          <span class="pill pill-neutral" data-testid="online">
            {online} online
          </span>
        )}
        <ConnectionStatus
          snapshot={snapshot}
          now={now.value}
          interactive={current !== null}
          onConnect={() => current?.client.connect()}
          onDisconnect={() => current?.client.disconnect()}
        />
      </header>

      {editing.value || !chosen
        ? (
          <NameForm
            initial={chosen ?? ""}
            interactive={current !== null}
            onName={(value) => {
              saveName(value);
              name.value = value;
              editing.value = false;
            }}
          />
        )
        : (
          <p class="whoami">
            You are <strong>{chosen}</strong>
            {!joined && snapshot.state === "open" && " (joining…)"}{" "}
            <button
              type="button"
              class="link-button"
              onClick={() => editing.value = true}
            >
              Change name
            </button>
          </p>
        )}

      {stores?.problem.value && (
        <p class="hint" role="alert">{stores.problem.value}</p>
      )}

      <AutoScrollList
        count={messages.length + outbox.length}
        label={`Messages in ${room}`}
        testId="room-feed"
        empty="No messages yet. Say hello!"
      >
        {messages.map((message) => (
          <RoomMessageItem
            key={message.seq}
            message={message}
            mine={message.from === chosen}
          />
        ))}
        {outbox.map((message) => (
          <OutgoingItem key={message.id} message={message} now={now.value} />
        ))}
      </AutoScrollList>

      {chosen && !editing.value && (
        <MessageForm
          interactive={current !== null}
          processors={snapshot.welcome?.processors ?? ["upper"]}
          maxLength={snapshot.welcome?.limits.maxTextLength}
          label={`Message to ${room}`}
          placeholder={`Message #${room}`}
          onSend={(text, processor) =>
            current?.client.send(text, { processor, room })}
        />
      )}
      <p class="sr-only" aria-live="polite">{stores?.announcement.value}</p>
    </section>
  );
}

function readName(): string | null {
  try {
    const saved = localStorage.getItem(NAME_KEY);
    return saved && isValidDisplayName(saved) ? saved : null;
  } catch {
    return null; // storage disabled: ask every time
  }
}

function saveName(name: string): void {
  try {
    localStorage.setItem(NAME_KEY, name);
  } catch {
    // storage disabled or full: the name still works for this visit
  }
}
