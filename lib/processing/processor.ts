/**
 * The processing step of the data path: a {@linkcode Processor} turns a
 * message's text into its result, and a {@linkcode ProcessorRegistry} names the
 * processors a server offers (`send.processor` picks one; `upper` is the
 * default and the seed's behaviour).
 *
 * @module
 */

/** Turns a message's text into its processed form. */
export interface Processor {
  /** The name clients pass as `processor`. */
  readonly name: string;
  /** One line for humans (README, welcome screens). */
  readonly description: string;
  /** Jobs started and not yet settled, for stats and leak tests. */
  readonly active: number;
  /**
   * Processes `text`. Must stop and reject with `signal.reason` once `signal`
   * aborts; `owner` (the connection id) lets shared resources share fairly.
   */
  run(text: string, signal: AbortSignal, owner?: string): Promise<string>;
}

/** The processor used when a frame names none. */
export const DEFAULT_PROCESSOR = "upper";

/** The processors a server offers, by name. */
export class ProcessorRegistry {
  #byName = new Map<string, Processor>();

  /** @param processors the processors to offer; names must be unique */
  constructor(processors: Iterable<Processor> = []) {
    for (const processor of processors) this.register(processor);
  }

  /** Adds a processor; throws if its name is taken. */
  register(processor: Processor): void {
    if (this.#byName.has(processor.name)) {
      throw new Error(`Processor "${processor.name}" is already registered`);
    }
    this.#byName.set(processor.name, processor);
  }

  /** The processor called `name`, if offered. */
  get(name: string): Processor | undefined {
    return this.#byName.get(name);
  }

  /** Names of every offered processor, in registration order. */
  names(): string[] {
    return [...this.#byName.keys()];
  }

  /** Jobs running across all processors. */
  active(): number {
    let total = 0;
    for (const processor of this.#byName.values()) total += processor.active;
    return total;
  }
}

/** Whether `error` is the rejection of an aborted job (not a failure). */
export function isAbort(error: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted && error === signal.reason) return true;
  return error instanceof DOMException && error.name === "AbortError";
}
