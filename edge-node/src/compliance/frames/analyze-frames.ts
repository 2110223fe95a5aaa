// Stored frames → observations for the compliance session: frames are sampled
// to one per SAMPLE_MS per camera, every sample gets a face count, and OCR runs
// on samples until `ocrDone` says the text seen is enough (the document title
// was read), because OCR costs ~0.7 s a frame and one sighting decides the check.
import type { Logger } from '#common/logger';
import type { FrameObservation } from '../engine/call-state.ts';
import type { FrameFile } from '../inspect/call-dir.ts';
import { countFaces } from './face-detector.ts';
import { readText } from './ocr.ts';

/** The rate: one frame per 2 s per camera for faces. */
export const SAMPLE_MS = 2000;
/** OCR (~0.7 s a frame) reads every other sample: a document is held up for several seconds. */
export const OCR_EVERY_MS = 4000;

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

export interface AnalyzeOptions {
  logger?: Logger;
  /** OCR stops once this returns true for a frame's text; without it every sample is read. */
  ocrDone?: (text: string) => boolean;
  /** Skip OCR entirely (faces only). */
  ocr?: boolean;
}

export async function analyzeFrames(files: FrameFile[], options: AnalyzeOptions = {}): Promise<FrameObservation[]> {
  const samples = sampleFrames(files);
  const out: FrameObservation[] = [];
  let ocrOpen = options.ocr !== false;
  const ocrSamples = new Set(sampleFrames(samples, OCR_EVERY_MS));
  for (const f of samples) {
    const obs: FrameObservation = { atMs: f.atMs, camera: f.camera, faces: await countFaces(f.file) };
    if (ocrOpen && ocrSamples.has(f)) {
      obs.text = await readText(f.file);
      if (options.ocrDone?.(obs.text)) ocrOpen = false;
    }
    out.push(obs);
  }
  options.logger?.info({ frames: files.length, sampled: samples.length, ocr: out.filter((o) => o.text !== undefined).length }, 'frames analysed');
  return out;
}
