// Worker thread holding one CenterNet detector, on onnxruntime (default) or
// tfjs-wasm (workerData.backend). Messages in: {id, rgb, width, height,
// minScore} (the frame's buffer is transferred, not copied); out: {id,
// detections, ms} or {id, error}. `ready` is posted once the model is loaded.
import { parentPort, workerData } from 'node:worker_threads';
import type { Detection } from './model.ts';

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
  // Load only the runtime this worker uses (tfjs-wasm and onnxruntime each weigh tens of MB).
  const detector: { detect(rgb: Uint8Array, w: number, h: number, minScore: number): Promise<Detection[]> } =
    backend === 'tfjs'
      ? await (await import('./centernet.ts')).CenterNetDetector.load()
      : await (await import('./centernet-onnx.ts')).OnnxCenterNetDetector.load();
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
