// Which decoded frames become samples. `faces-present` counts instants of
// FRAME_BUCKET_MS (2 s) on the call clock and needs every camera in each one;
// an ffmpeg that picks "a frame at least 2 s after the last" drifts (frames
// come at 2.1, 4.3, 6.4 s…) and skips an instant now and then, which reads as
// a missing face. So ffmpeg decodes a few frames per period and each camera
// takes the first frame of every period of the call clock: slot k is
// [k·period, (k+1)·period). A frame that finds its camera still in analysis
// leaves the slot open for the camera's next frame in it.

export class SampleSlots {
  readonly #taken = new Map<string, number>();

  constructor(private readonly periodMs: number) {}

  /** Whether `key` has no sample yet in the slot of call time `atMs`. */
  open(key: string, atMs: number): boolean {
    return Math.floor(atMs / this.periodMs) > (this.#taken.get(key) ?? -1);
  }

  /** The sample of `key`'s slot at `atMs` is taken. */
  take(key: string, atMs: number): void {
    this.#taken.set(key, Math.floor(atMs / this.periodMs));
  }

  forget(key: string): void {
    this.#taken.delete(key);
  }
}
