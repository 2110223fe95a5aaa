// Worker thread holding one CenterNet detector, on onnxruntime (default) or
// tfjs-wasm (workerData.backend). Messages in: {id, rgb, width, height,
// minScore} (the frame's buffer is transferred, not copied); out: {id,
// detections, ms} or {id, error}. `ready` is posted once the model is loaded.
import { parentPort, workerData } from 'node:worker_threads';
import { CenterNetDetector } from './centernet.ts';
import { OnnxCenterNetDetector } from './centernet-onnx.ts';

export interface DetectRequest {
  id: number;
  rgb: Uint8Array;
  width: number;
  height: number;
  minScore: number;
}

const port = parentPort!;
try {
  const backend = (workerData as { backend?: string } | null)?.backend ?? 'onnx';
  const detector = backend === 'tfjs' ? await CenterNetDetector.load() : await OnnxCenterNetDetector.load();
  port.on('message', async (req: DetectRequest) => {
    const started = performance.now();
    try {
      const detections = await detector.detect(req.rgb, req.width, req.height, req.minScore);
      port.postMessage({ id: req.id, detections, ms: performance.now() - started });
    } catch (err) {
      port.postMessage({ id: req.id, error: (err as Error).message });
    }
  });
  port.postMessage({ ready: true });
} catch (err) {
  port.postMessage({ ready: false, error: (err as Error).message });
}
