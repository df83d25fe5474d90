import { AutoScrollList } from "../components/AutoScrollList.tsx";
import { ConnectionStatus } from "../components/ConnectionStatus.tsx";
import { MessageForm } from "../components/MessageForm.tsx";
import { OutgoingItem } from "../components/OutgoingItem.tsx";
import { BEFORE_MOUNT, useLiveClient, useNow } from "../lib/client/hooks.ts";
import { chatStore } from "../lib/client/stores.ts";

/** The home page's live panel: send text, watch results arrive over the socket. */
export default function LiveMessages() {
  const live = useLiveClient((client) => chatStore(client));
  const now = useNow();
  const current = live.value;
  const snapshot = current?.connection.value ?? BEFORE_MOUNT;
  const entries = current?.stores.entries.value ?? [];
  const welcome = snapshot.welcome;

  return (
    <section class="card live" aria-labelledby="live-title">
      <header class="card-head">
        <h2 id="live-title">Live messages</h2>
        <ConnectionStatus
          snapshot={snapshot}
          now={now.value}
          interactive={current !== null}
          onConnect={() => current?.client.connect()}
          onDisconnect={() => current?.client.disconnect()}
        />
      </header>
      <MessageForm
        interactive={current !== null}
        processors={welcome?.processors ?? ["upper"]}
        maxLength={welcome?.limits.maxTextLength}
        label="Send a message to the server"
        onSend={(text, processor) => current?.client.send(text, { processor })}
      />
      <AutoScrollList
        count={entries.length}
        label="Your messages and their results"
        testId="live-feed"
        empty="Nothing yet. Send a message: the server processes it and pushes the result back here."
      >
        {entries.map((message) => (
          <OutgoingItem key={message.id} message={message} now={now.value} />
        ))}
      </AutoScrollList>
      <p class="sr-only" aria-live="polite" data-testid="live-announcer">
        {current?.stores.announcement.value}
      </p>
    </section>
  );
}
