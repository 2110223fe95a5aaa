// Frames → observations for the compliance session, for stored calls
// (`analyzeFrames`) and live ones (the edge's frame sampler holds one
// `FrameAnalyzer` per call): every sample gets a face count, and OCR runs on
// samples until `ocrDone` says the text seen is enough (the document title was
// read), because OCR costs ~0.7 s a frame and one sighting decides the check.
import sharp from 'sharp';
import type { Logger } from '#common/logger';
import type { FrameObservation } from '../engine/call-state.ts';
import type { FrameFile } from '../inspect/call-dir.ts';
import { countFaces } from './face-detector.ts';
import { readText } from './ocr.ts';
import { OCR_EVERY_MS, OcrSchedule, SAMPLE_MS } from './ocr-schedule.ts';

export { OCR_EVERY_MS, SAMPLE_MS } from './ocr-schedule.ts';

export function sampleFrames(files: FrameFile[], everyMs = SAMPLE_MS): FrameFile[] {
  const lastByCamera = new Map<string, number>();
  const out: FrameFile[] = [];
  for (const f of [...files].sort((a, b) => a.atMs - b.atMs)) {
    const last = lastByCamera.get(f.camera);
    if (last !== undefined && f.atMs - last < everyMs) continue;
    lastByCamera.set(f.camera, f.atMs);
    out.push(f);
  }
  return out;
}

/** Mean absolute difference (0…255) of 32×18 grey thumbnails under which a camera's scene is unchanged. */
const SAME_SCENE = 4;

async function thumbnail(file: string): Promise<Buffer> {
  return sharp(file).resize(32, 18, { fit: 'fill' }).greyscale().raw().toBuffer();
}

function sceneDiff(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

export interface AnalyzeOptions {
  logger?: Logger;
  /** OCR stops once this returns true for a frame's text; without it every sample is read. */
  ocrDone?: (text: string) => boolean;
  /** Skip OCR entirely (faces only). */
  ocr?: boolean;
}

/**
 * The frames of one call, in time order per camera: faces on every frame; OCR
 * on the frames its schedule allows, reusing the last text while a camera's
 * scene is unchanged, until `ocrDone`.
 */
export class FrameAnalyzer {
  readonly #schedule: OcrSchedule;
  /** Per camera: the last frame read by OCR, to skip reading an unchanged scene again. */
  readonly #lastRead = new Map<string, { thumb: Buffer; text: string }>();
  ocrRuns = 0;

  constructor(private readonly options: Pick<AnalyzeOptions, 'ocrDone' | 'ocr'> = {}) {
    this.#schedule = new OcrSchedule(OCR_EVERY_MS, options.ocr !== false);
  }

  /** Whether OCR may still run (no title seen yet). */
  get reading(): boolean {
    return this.#schedule.open;
  }

  async observe(file: string, at: { atMs: number; camera: string }): Promise<FrameObservation> {
    const obs: FrameObservation = { atMs: at.atMs, camera: at.camera, faces: await countFaces(file) };
    if (!this.#schedule.due(at.camera, at.atMs)) return obs;
    const thumb = await thumbnail(file);
    const prev = this.#lastRead.get(at.camera);
    if (prev && sceneDiff(prev.thumb, thumb) < SAME_SCENE) obs.text = prev.text;
    else {
      obs.text = await readText(file);
      this.ocrRuns += 1;
      this.#lastRead.set(at.camera, { thumb, text: obs.text });
    }
    if (this.options.ocrDone?.(obs.text)) this.#schedule.close();
    return obs;
  }
}

/**
 * One frame on its own → an observation for `ComplianceSession.addFrameObservation`.
 * OCR only when asked (it costs ~0.7 s). Live calls use a `FrameAnalyzer` per call instead.
 */
export async function observeFrame(
  file: string,
  at: { atMs: number; camera: string; ocr?: boolean },
): Promise<FrameObservation> {
  const obs: FrameObservation = { atMs: at.atMs, camera: at.camera, faces: await countFaces(file) };
  if (at.ocr) obs.text = await readText(file);
  return obs;
}

export async function analyzeFrames(
  files: FrameFile[],
  options: AnalyzeOptions = {},
): Promise<FrameObservation[]> {
  const samples = sampleFrames(files);
  const analyzer = new FrameAnalyzer(options);
  const out: FrameObservation[] = [];
  for (const f of samples) out.push(await analyzer.observe(f.file, f));
  options.logger?.info(
    { frames: files.length, sampled: samples.length, ocr: analyzer.ocrRuns },
    'frames analysed',
  );
  return out;
}
