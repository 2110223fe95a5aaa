/** A minimal typed event emitter for the browser; a throwing listener never breaks the others. */
export class Emitter<E extends Record<string, unknown[]>> {
  readonly #listeners = new Map<keyof E, Set<(...args: unknown[]) => void>>();

  on<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    const stored = listener as unknown as (...args: unknown[]) => void;
    set.add(stored);
    return () => set.delete(stored);
  }

  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        listener(...(args as unknown[]));
      } catch (err) {
        console.error(`listener for ${String(event)} failed`, err);
      }
    }
  }
}
