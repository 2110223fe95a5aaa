// Stored frames → observations for the compliance session: frames are sampled
// to one per SAMPLE_MS per camera, every sample gets a face count, and OCR runs
// on samples until `ocrDone` says the text seen is enough (the document title
// was read), because OCR costs ~0.7 s a frame and one sighting decides the check.
import sharp from 'sharp';
import type { Logger } from '#common/logger';
import type { FrameObservation } from '../engine/call-state.ts';
import type { FrameFile } from '../inspect/call-dir.ts';
import { countFaces } from './face-detector.ts';
import { readText } from './ocr.ts';

/** The rate: one frame per 2 s per camera for faces. */
export const SAMPLE_MS = 2000;
/** OCR (~0.7 s a frame) reads every other sample (a document is held up for several seconds), and not again while a camera's scene is unchanged. */
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
 * Live mode: one frame grabbed from a camera (the edge's sampler, 1 per 2 s per
 * camera) → an observation for `ComplianceSession.addFrameObservation`. OCR only
 * when asked (it costs ~0.7 s): e.g. every other frame until the title was seen.
 */
export async function observeFrame(file: string, at: { atMs: number; camera: string; ocr?: boolean }): Promise<FrameObservation> {
  const obs: FrameObservation = { atMs: at.atMs, camera: at.camera, faces: await countFaces(file) };
  if (at.ocr) obs.text = await readText(file);
  return obs;
}

export async function analyzeFrames(files: FrameFile[], options: AnalyzeOptions = {}): Promise<FrameObservation[]> {
  const samples = sampleFrames(files);
  const out: FrameObservation[] = [];
  let ocrOpen = options.ocr !== false;
  let ocrRuns = 0;
  const ocrSamples = new Set(sampleFrames(samples, OCR_EVERY_MS));
  // Per camera: the last frame read by OCR, to skip reading an unchanged scene again.
  const lastRead = new Map<string, { thumb: Buffer; text: string }>();
  for (const f of samples) {
    const obs: FrameObservation = { atMs: f.atMs, camera: f.camera, faces: await countFaces(f.file) };
    if (ocrOpen && ocrSamples.has(f)) {
      const thumb = await thumbnail(f.file);
      const prev = lastRead.get(f.camera);
      if (prev && sceneDiff(prev.thumb, thumb) < SAME_SCENE) obs.text = prev.text;
      else {
        obs.text = await readText(f.file);
        ocrRuns += 1;
        lastRead.set(f.camera, { thumb, text: obs.text });
      }
      if (options.ocrDone?.(obs.text)) ocrOpen = false;
    }
    out.push(obs);
  }
  options.logger?.info({ frames: files.length, sampled: samples.length, ocr: ocrRuns }, 'frames analysed');
  return out;
}
