// Growable PCM window addressed by absolute sample index: the current
// utterance plus a little pre-roll. Everything before `trimBefore` is freed.
export class PcmWindow {
  #buf = new Float32Array(16_000 * 4);
  #start = 0; // absolute index of #buf[0]
  #length = 0;

  get start(): number {
    return this.#start;
  }

  get end(): number {
    return this.#start + this.#length;
  }

  /** Capacity in samples (for memory tests). */
  get capacity(): number {
    return this.#buf.length;
  }

  /** Appends samples that begin at absolute index `at` (must be `end`, or later after a reset). */
  append(samples: Float32Array): void {
    if (this.#length + samples.length > this.#buf.length) {
      const next = new Float32Array(Math.max(this.#buf.length * 2, this.#length + samples.length));
      next.set(this.#buf.subarray(0, this.#length));
      this.#buf = next;
    }
    this.#buf.set(samples, this.#length);
    this.#length += samples.length;
  }

  /** Copy of samples [from, to) clipped to what is held. */
  slice(from: number, to: number): Float32Array {
    const a = Math.max(from, this.#start) - this.#start;
    const b = Math.min(to, this.end) - this.#start;
    return b > a ? this.#buf.slice(a, b) : new Float32Array(0);
  }

  trimBefore(index: number): void {
    const drop = Math.min(this.#length, Math.max(0, index - this.#start));
    if (drop === 0) return;
    this.#buf.copyWithin(0, drop, this.#length);
    this.#length -= drop;
    this.#start += drop;
    // Shrink after a long utterance so a quiet stream holds little memory.
    if (this.#buf.length > 16_000 * 8 && this.#length < this.#buf.length / 4) {
      this.#buf = this.#buf.slice(0, Math.max(16_000 * 4, this.#length * 2));
    }
  }

  /** Empties the window and moves it to `index` (after a discontinuity). */
  reset(index: number): void {
    this.#start = index;
    this.#length = 0;
  }
}
