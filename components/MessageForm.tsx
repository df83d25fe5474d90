import { useSignal } from "@preact/signals";
import type { JSX } from "preact";

/** Props of {@linkcode MessageForm}. */
export interface MessageFormProps {
  /** Called with the text (never blank) and the chosen processor. */
  onSend: (text: string, processor: string) => void;
  /** Processors to offer; the select is hidden when empty. */
  processors?: string[];
  /** Preferred processor when offered. */
  defaultProcessor?: string;
  /** Longest text the server accepts. */
  maxLength?: number;
  label?: string;
  placeholder?: string;
  /** False until the island has hydrated. */
  interactive?: boolean;
}

/** A one-line composer: Enter sends, the input clears, blank input is refused with a hint. */
export function MessageForm(
  {
    onSend,
    processors = [],
    defaultProcessor = "upper",
    maxLength,
    label = "Message",
    placeholder = "Type a message and press Enter",
    interactive = true,
  }: MessageFormProps,
) {
  const text = useSignal("");
  const chosen = useSignal<string | null>(null);
  const hint = useSignal<string | null>(null);
  const processor = chosen.value ??
    (processors.includes(defaultProcessor)
      ? defaultProcessor
      : processors[0] ?? defaultProcessor);

  const submit = (event: JSX.TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = text.value;
    const input = event.currentTarget.elements.namedItem("text");
    if (value.trim().length === 0) {
      hint.value = "Type something first: empty messages are not sent.";
      (input as HTMLInputElement | null)?.focus();
      return;
    }
    hint.value = null;
    onSend(value, processor);
    text.value = "";
  };

  return (
    <form class="composer" onSubmit={submit} noValidate>
      <fieldset disabled={!interactive}>
        <label class="sr-only" for="composer-text">{label}</label>
        <div class="composer-row">
          <input
            id="composer-text"
            name="text"
            type="text"
            autocomplete="off"
            placeholder={placeholder}
            maxLength={maxLength}
            value={text.value}
            aria-invalid={hint.value ? "true" : undefined}
            aria-describedby={hint.value ? "composer-hint" : undefined}
            onInput={(e) => {
              text.value = e.currentTarget.value;
              if (hint.value && text.value.trim()) hint.value = null;
            }}
          />
          {processors.length > 0 && (
            <>
              <label class="sr-only" for="composer-processor">Processor</label>
              <select
                id="composer-processor"
                name="processor"
                value={processor}
                onChange={(e) => chosen.value = e.currentTarget.value}
              >
                {processors.map((name) => (
                  <option key={name} value={name}>{name}</option>
                ))}
              </select>
            </>
          )}
          <button type="submit" class="button">Send</button>
        </div>
      </fieldset>
      {hint.value && (
        <p id="composer-hint" class="hint" role="alert">{hint.value}</p>
      )}
    </form>
  );
}
