// Which decoded frames become samples. `faces-present` counts instants of
// FRAME_BUCKET_MS (2 s) on the call clock and needs every camera in each one;
// an ffmpeg that picks "a frame at least 2 s after the last" drifts (frames
// come at 2.1, 4.3, 6.4 s…) and skips an instant now and then, which reads as
// a missing face. So ffmpeg decodes a few frames per period and each camera
// takes the first frame of every period of the call clock: slot k is
// [k·period, (k+1)·period). A frame that finds its camera still in analysis
// leaves the slot open for the camera's next frame in it; a slot that closes
// without a sample for that reason is one dropped sample.

export type Offer = 'take' | 'skip' | 'busy';

export class SampleSlots {
  readonly #cameras = new Map<
    string,
    { taken: number; busySlot?: number; dropped: number; unreported: number[] }
  >();

  constructor(private readonly periodMs: number) {}

  /**
   * A decoded frame of `key` at call time `atMs`: `take` it (analyse it: its
   * slot has no sample yet and the camera is free), `skip` it (the slot has its
   * sample), or it finds the camera `busy` (the slot stays open).
   */
  offer(key: string, atMs: number, busy: boolean): Offer {
    const slot = Math.floor(atMs / this.periodMs);
    let cam = this.#cameras.get(key);
    if (!cam) this.#cameras.set(key, (cam = { taken: -1, dropped: 0, unreported: [] }));
    if (slot <= cam.taken) return 'skip';
    if (cam.busySlot !== undefined && cam.busySlot < slot) {
      cam.dropped++; // that slot ended without a sample
      cam.unreported.push(cam.busySlot);
      cam.busySlot = undefined;
    }
    if (busy) {
      cam.busySlot = slot;
      return 'busy';
    }
    cam.taken = slot;
    cam.busySlot = undefined;
    return 'take';
  }

  /**
   * The slots dropped since the last call, as their start on the call clock
   * (ms): they are reported to the checks as instants this camera could not be
   * sampled, which is not the same as a camera showing nobody.
   */
  takeDropped(key: string): number[] {
    const cam = this.#cameras.get(key);
    return cam ? cam.unreported.splice(0).map((slot) => slot * this.periodMs) : [];
  }

  /** Samples lost because the camera's previous frame was still in analysis for a whole slot. */
  dropped(key: string): number {
    return this.#cameras.get(key)?.dropped ?? 0;
  }
}
