// Worker thread that owns one resident Whisper context (@napi-rs/whisper). The
// binding's `full()` is synchronous and CPU-bound, so it runs here, never on
// the event loop. Plain JS on purpose: worker threads load it without tsx.
// Protocol: parent → {type:'recognize', id, pcm, prompt, maxTokens, threads, audioCtx, language}
//           worker → {type:'ready', loadMs} | {type:'result', id, text, ms} | {type:'error', id?, message}
import { parentPort, workerData } from 'node:worker_threads';
import { Whisper } from '@napi-rs/whisper';
import { recognitionParams } from './whisper-params.mjs';

const { modelPath } = workerData;
let whisper;
try {
  const t0 = performance.now();
  whisper = new Whisper(modelPath, { useGpu: false });
  parentPort.postMessage({ type: 'ready', loadMs: performance.now() - t0 });
} catch (err) {
  parentPort.postMessage({
    type: 'error',
    message: `cannot load Whisper model ${modelPath}: ${err?.message ?? err}`,
  });
}

parentPort.on('message', (msg) => {
  if (msg.type !== 'recognize' || !whisper) return;
  try {
    const params = recognitionParams(msg);
    const t0 = performance.now();
    const text = whisper.full(params, msg.pcm);
    parentPort.postMessage({ type: 'result', id: msg.id, text, ms: performance.now() - t0 });
  } catch (err) {
    parentPort.postMessage({ type: 'error', id: msg.id, message: String(err?.message ?? err) });
  }
});
