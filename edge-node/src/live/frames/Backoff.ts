// Restart delays for a process that keeps dying: first `initialMs`, doubling up
// to `maxMs`; back to the start once a run has proved healthy.

export class Backoff {
  #next: number;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs = 30_000,
  ) {
    this.#next = initialMs;
  }

  /** The delay before the next restart (and doubles the one after). */
  next(): number {
    const delay = this.#next;
    this.#next = Math.min(this.maxMs, Math.max(this.#next * 2, 100));
    return delay;
  }

  reset(): void {
    this.#next = this.initialMs;
  }
}
