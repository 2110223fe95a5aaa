// The detector's two runtimes on real frames: CenterNet as shipped (tfjs-wasm)
// and converted to ONNX at load time (onnxruntime-node), each in its worker
// thread. The conversion must not change what is detected.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '#common/logger';
import { DetectorPool } from '../../edge-node/src/lobby/detector/DetectorPool.ts';
import { iou } from '../../edge-node/src/lobby/geometry.ts';
import { ensureVtest } from '../../scripts/lobby-assets.ts';

describe('CenterNet on onnxruntime matches CenterNet on tfjs', () => {
  const logger = createLogger('lobby-detectors', { level: 'error' });
  let onnx: DetectorPool;
  let tfjs: DetectorPool;
  let frames: Buffer[];

  beforeAll(async () => {
    const vtest = ensureVtest();
    // Six frames across the clip, 512×512 RGB as the cameras decode them.
    const raw = execFileSync(
      'ffmpeg',
      [
        '-loglevel',
        'error',
        '-i',
        vtest,
        '-vf',
        'fps=1/13,scale=512:512',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        'pipe:1',
      ],
      { maxBuffer: 1 << 26 },
    );
    const size = 512 * 512 * 3;
    frames = Array.from({ length: Math.floor(raw.length / size) }, (_, i) =>
      raw.subarray(i * size, (i + 1) * size),
    );
    [onnx, tfjs] = await Promise.all([
      DetectorPool.create(1, logger, 'onnx'),
      DetectorPool.create(1, logger, 'tfjs'),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([onnx?.close(), tfjs?.close()]);
  });

  it('finds the same people with the same scores and boxes', async () => {
    expect(frames.length).toBeGreaterThanOrEqual(6);
    let people = 0;
    for (const frame of frames) {
      const [a, b] = await Promise.all([
        onnx.detect(new Uint8Array(frame), 512, 512, 0.3),
        tfjs.detect(new Uint8Array(frame), 512, 512, 0.3),
      ]);
      expect(a.detections.length).toBe(b.detections.length);
      for (const [i, d] of a.detections.entries()) {
        const e = b.detections[i]!;
        expect(Math.abs(d.score - e.score)).toBeLessThan(0.005);
        expect(iou(d.box, e.box)).toBeGreaterThan(0.98);
      }
      people += a.detections.length;
    }
    expect(people).toBeGreaterThan(20);
  }, 120_000);
});
