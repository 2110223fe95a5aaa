// Which frame samples OCR reads. Pure (no models), shared by stored calls and
// the live sampler: OCR costs ~0.7 s a frame, a document is held up for
// several seconds, and one sighting of its title decides the check.

/** The rate: one frame per 2 s per camera for faces. */
export const SAMPLE_MS = 2000;
/** OCR reads at most one sample per camera this often (every other sample at the default rate). */
export const OCR_EVERY_MS = 4000;

export class OcrSchedule {
  readonly #lastByCamera = new Map<string, number>();
  #open: boolean;

  constructor(
    private readonly everyMs = OCR_EVERY_MS,
    open = true,
  ) {
    this.#open = open;
  }

  /** False once closed (the title was read, or OCR is off). */
  get open(): boolean {
    return this.#open;
  }

  /** Whether OCR reads this sample; a sample it reads starts the camera's next interval. */
  due(camera: string, atMs: number): boolean {
    if (!this.#open) return false;
    const last = this.#lastByCamera.get(camera);
    if (last !== undefined && atMs - last < this.everyMs) return false;
    this.#lastByCamera.set(camera, atMs);
    return true;
  }

  close(): void {
    this.#open = false;
  }
}
