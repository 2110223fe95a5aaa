// Worker thread that analyses sampled frames: the face detector (OpenCV WASM)
// and OCR (PaddleOCR pre/post-processing in JS) each hold a thread for tens to
// hundreds of milliseconds per frame, which must not stall the edge's main
// thread (signaling, audio taps, transcription). One `FrameAnalyzer` per call
// keeps the call's OCR schedule (until its pack's document title was read).
// Messages in: {type:'open', callId, pack} | {type:'frame', id, callId, camera,
// atMs, file} | {type:'close', callId}; out: {id, observation, ms} | {id, error};
// `{ready}` once the models are loaded.
import { parentPort } from 'node:worker_threads';
import sharp from 'sharp';
import { documentTitleSeen } from '../../compliance/checks/frame-checks.ts';
import { FrameAnalyzer } from '../../compliance/frames/analyze-frames.ts';
import { countFaces } from '../../compliance/frames/face-detector.ts';
import { loadOcr } from '../../compliance/frames/ocr.ts';
import type { RulePack } from '../../compliance/pack/schema.ts';

export type AnalysisRequest =
  | { type: 'open'; callId: string; pack: RulePack }
  | { type: 'frame'; id: number; callId: string; camera: string; atMs: number; file: string }
  | { type: 'close'; callId: string };

const port = parentPort!;
const calls = new Map<string, FrameAnalyzer>();

try {
  // Load both models now: a missing cascade or OCR model is reported at start, and the first frame is not slow.
  await loadOcr();
  await countFaces(
    await sharp({ create: { width: 64, height: 36, channels: 3, background: '#808080' } })
      .jpeg()
      .toBuffer(),
  );
  port.on('message', async (req: AnalysisRequest) => {
    if (req.type === 'open') {
      calls.set(req.callId, new FrameAnalyzer({ ocrDone: documentTitleSeen(req.pack) }));
      return;
    }
    if (req.type === 'close') {
      calls.delete(req.callId);
      return;
    }
    const started = performance.now();
    try {
      const analyzer = calls.get(req.callId);
      if (!analyzer) throw new Error(`call ${req.callId} is not open`);
      const observation = await analyzer.observe(req.file, { atMs: req.atMs, camera: req.camera });
      port.postMessage({ id: req.id, observation, ms: performance.now() - started });
    } catch (err) {
      port.postMessage({ id: req.id, error: (err as Error).message });
    }
  });
  port.postMessage({ ready: true });
} catch (err) {
  port.postMessage({ ready: false, error: (err as Error).message });
}
