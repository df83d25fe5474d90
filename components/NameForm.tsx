import { useSignal } from "@preact/signals";
import type { JSX } from "preact";
import { isValidDisplayName } from "../lib/protocol.ts";

/** Asks for a display name and refuses invalid ones with a visible reason. */
export function NameForm(
  { initial = "", onName, interactive = true }: {
    initial?: string;
    onName: (name: string) => void;
    interactive?: boolean;
  },
) {
  const name = useSignal(initial);
  const hint = useSignal<string | null>(null);
  const submit = (event: JSX.TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = name.value.trim();
    if (!isValidDisplayName(value)) {
      hint.value = "Use 1 to 32 letters, digits, spaces, '.', '_' or '-'.";
      return;
    }
    hint.value = null;
    onName(value);
  };
  return (
    <form class="name-form" onSubmit={submit} noValidate>
      <fieldset disabled={!interactive}>
        <label for="display-name">Your display name</label>
        <div class="composer-row">
          <input
            id="display-name"
            name="name"
            type="text"
            autocomplete="nickname"
            maxLength={32}
            value={name.value}
            aria-invalid={hint.value ? "true" : undefined}
            aria-describedby={hint.value ? "name-hint" : undefined}
            onInput={(e) => name.value = e.currentTarget.value}
          />
          <button type="submit" class="button">Join room</button>
        </div>
      </fieldset>
      {hint.value && (
        <p id="name-hint" class="hint" role="alert">{hint.value}</p>
      )}
    </form>
  );
}
