// Person detection with CenterNet (MobileNetV3 backbone, COCO, 512×512 input)
// on TensorFlow.js's WASM backend. The weights ship inside the npm package
// @vladmandic/human (models/centernet.json + .bin, MIT): nothing is fetched at
// install or run time. The graph already extracts the 100 strongest centre
// peaks: its `tower_0/detections` output is [1, 100, 6] rows of
// (x1, y1, x2, y2, score, class) in input pixels, class 0 = person.
//
// Runs inside a worker thread (detector-worker.ts): one inference takes a few
// hundred milliseconds of CPU, which must never block the edge's event loop.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { nms, type Box } from '../geometry.ts';
import { CENTERNET_INPUT, centernetModelDir, PERSON_CLASS, type Detection } from './model.ts';

const require = createRequire(import.meta.url);

let backendReady: Promise<void> | undefined;

/** WASM backend, single-threaded: one detector per worker thread, one worker per core we give it. */
function initBackend(): Promise<void> {
  backendReady ??= (async () => {
    setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
    setThreadsCount(1);
    await tf.setBackend('wasm');
    await tf.ready();
  })();
  return backendReady;
}

export class CenterNetDetector {
  private constructor(private readonly model: GraphModel) {}

  static async load(modelDir = centernetModelDir()): Promise<CenterNetDetector> {
    await initBackend();
    const json = JSON.parse(readFileSync(path.join(modelDir, 'centernet.json'), 'utf8')) as {
      modelTopology: object;
      weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    };
    const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
    const bins = json.weightsManifest
      .flatMap((g) => g.paths)
      .map((p) => readFileSync(path.join(modelDir, p)));
    const all = Buffer.concat(bins);
    const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
    const model = await loadGraphModel({
      load: async () => ({ modelTopology: json.modelTopology, weightSpecs, weightData }),
    });
    const detector = new CenterNetDetector(model);
    // The first run compiles kernels and allocates; do it before real frames arrive.
    await detector.detect(
      new Uint8Array(CENTERNET_INPUT * CENTERNET_INPUT * 3),
      CENTERNET_INPUT,
      CENTERNET_INPUT,
      0.99,
    );
    return detector;
  }

  /**
   * People in one RGB24 frame. The frame is stretched to 512×512 (ffmpeg
   * already decodes at that size); boxes come back normalised, so the stretch
   * cancels out.
   */
  async detect(rgb: Uint8Array, width: number, height: number, minScore: number): Promise<Detection[]> {
    const out = tf.tidy(() => {
      let img: tf.Tensor3D = tf.cast(tf.tensor3d(rgb, [height, width, 3], 'int32'), 'float32');
      if (width !== CENTERNET_INPUT || height !== CENTERNET_INPUT) {
        img = tf.image.resizeBilinear(img, [CENTERNET_INPUT, CENTERNET_INPUT]);
      }
      return this.model.execute(tf.expandDims(img, 0), ['tower_0/detections']) as tf.Tensor;
    });
    const rows = (await out.data()) as Float32Array;
    out.dispose();
    const people: Detection[] = [];
    for (let i = 0; i + 5 < rows.length; i += 6) {
      const score = rows[i + 4]!;
      if (rows[i + 5] !== PERSON_CLASS || !(score >= minScore)) continue;
      const s = CENTERNET_INPUT;
      const box: Box = [
        clamp01(rows[i]! / s),
        clamp01(rows[i + 1]! / s),
        clamp01(rows[i + 2]! / s),
        clamp01(rows[i + 3]! / s),
      ];
      if (box[2] > box[0] && box[3] > box[1]) people.push({ box, score });
    }
    // CenterNet's peak extraction leaves the odd double box on one person.
    return nms(people, 0.5);
  }

  dispose(): void {
    this.model.dispose();
  }
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
