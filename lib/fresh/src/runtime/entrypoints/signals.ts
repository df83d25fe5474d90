/** Browser entry `signals.js`: the `signal` factory for the deserializer. */
export { signal } from "@preact/signals";
