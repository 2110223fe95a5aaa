// Analysis never backs up: each camera has at most one frame being analysed
// (or queued for the analysis thread); a frame that arrives meanwhile is
// dropped and counted, like whisper.cpp's stream loop drops audio it cannot
// keep up with. The next frame comes one sample period later anyway.

export class InFlightGate {
  readonly #busy = new Set<string>();
  readonly #dropped = new Map<string, number>();

  /** True when `key`'s frame may go ahead (call `leave` when done); false when it is dropped. */
  tryEnter(key: string): boolean {
    if (this.#busy.has(key)) {
      this.#dropped.set(key, (this.#dropped.get(key) ?? 0) + 1);
      return false;
    }
    this.#busy.add(key);
    return true;
  }

  leave(key: string): void {
    this.#busy.delete(key);
  }

  busy(key: string): boolean {
    return this.#busy.has(key);
  }

  dropped(key?: string): number {
    if (key !== undefined) return this.#dropped.get(key) ?? 0;
    let n = 0;
    for (const v of this.#dropped.values()) n += v;
    return n;
  }
}
