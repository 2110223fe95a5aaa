// Analysis never backs up: each camera has at most one frame being analysed
// (or queued for the analysis thread); its other frames meanwhile are not
// analysed (SampleSlots counts the samples lost), like whisper.cpp's stream
// loop drops audio it cannot keep up with.

export class InFlightGate {
  readonly #busy = new Set<string>();

  busy(key: string): boolean {
    return this.#busy.has(key);
  }

  enter(key: string): void {
    this.#busy.add(key);
  }

  leave(key: string): void {
    this.#busy.delete(key);
  }
}
