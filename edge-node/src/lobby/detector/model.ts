// What every part of the lobby pipeline needs to know about the detector's
// model, without loading a runtime: its input size, the person class, where
// the weights are, and what a detection looks like. (The runtimes —
// tfjs-wasm in centernet.ts, onnxruntime in centernet-onnx.ts — are loaded
// only inside detector worker threads.)
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Box } from '../geometry.ts';

/** CenterNet's input: frames are decoded straight to 512×512 by ffmpeg. */
export const CENTERNET_INPUT = 512;
/** COCO class 0. */
export const PERSON_CLASS = 0;

export interface Detection {
  /** Normalised to the frame (0…1). */
  box: Box;
  score: number;
}

const require = createRequire(import.meta.url);

/** Folder of the model files inside the installed npm package @vladmandic/human. */
export function centernetModelDir(): string {
  return path.join(path.dirname(require.resolve('@vladmandic/human')), '..', 'models');
}
