// Whisper through @napi-rs/whisper (whisper.cpp, prebuilt with AVX2, model
// resident, Float32Array in). Chosen on measured numbers: see docs/transcription.md.
// Each worker thread holds one context (~150 MB for tiny.en); the default is
// one worker, so the weights are loaded once per edge process and shared by
// every call. `threads` is whisper.cpp's thread count inside that worker.
import { Worker } from 'node:worker_threads';
import type { Logger } from '#common/logger';
import { AppError } from '#protocol/errors';
import {
  SAMPLE_RATE,
  type RecognizedSegment,
  type RecognizeOptions,
  type SpeechEngine,
} from '../../engine.ts';
import type { ResolvedModel } from '../../models/resolveModel.ts';
import { cleanWhisperText, DEFAULT_PROMPT_CHARS, hintsToPrompt, tokenBudget } from './whisperText.ts';

export interface WhisperEngineOptions {
  model: ResolvedModel;
  /** whisper.cpp threads per recognition. On 2 shared cores, 1 is safest: 2 collapse under load. */
  threads?: number;
  /** Worker threads, each with its own copy of the weights. */
  workers?: number;
  language?: string;
  /** Characters of domain hints prompted to finals (partials get none): see whisperText.ts. 0 = no prompt. */
  promptChars?: number;
  /** `auto` shrinks the encoder context to the audio's length (the stream example's audio_ctx): ~3× faster on short utterances. */
  audioCtx?: 'auto' | 'full';
  logger: Logger;
}

interface Job {
  id: number;
  resolve: (text: string) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  job?: Job;
}

/** whisper.cpp refuses input shorter than 1 s; pad short utterances with silence. */
const MIN_SAMPLES = Math.round(1.1 * SAMPLE_RATE);

export function audioCtxFor(samples: number): number {
  // 1500 encoder positions per 30 s = 50 per second; a little headroom, multiple of 64.
  const needed = Math.ceil((samples / SAMPLE_RATE) * 50) + 32;
  return Math.min(1500, Math.ceil(needed / 64) * 64);
}

export class WhisperEngine implements SpeechEngine {
  readonly name: string;
  readonly synthetic: boolean;
  readonly #slots: Slot[];
  readonly #waiting: { pcm: Float32Array; prompt: string; maxTokens: number; job: Job }[] = [];
  readonly #threads: number;
  readonly #language: string;
  readonly #audioCtx: 'auto' | 'full';
  readonly #promptChars: number;
  readonly #logger: Logger;
  #nextId = 1;
  #closed = false;

  private constructor(slots: Slot[], opts: WhisperEngineOptions) {
    this.#slots = slots;
    this.name = `whisper:${opts.model.id}`;
    this.synthetic = opts.model.synthetic;
    this.#threads = opts.threads ?? 1;
    this.#language = opts.language ?? (opts.model.entry?.language === 'multilingual' ? 'auto' : 'en');
    this.#audioCtx = opts.audioCtx ?? 'auto';
    // The synthetic test model emits its fixed sentence only without a prompt: behind one its
    // wiring derails into tokens whisper.cpp rejects and decodes again at higher temperatures
    // (~2× the time), a cost no real model has. It is timed without; bench:transcription
    // measures what a prompt adds on its own.
    this.#promptChars = opts.model.synthetic ? 0 : (opts.promptChars ?? DEFAULT_PROMPT_CHARS);
    this.#logger = opts.logger;
    for (const slot of slots) this.#listen(slot);
  }

  /** Live workers (a crashed one is not replaced; the edge reports it). */
  get concurrency(): number {
    return this.#slots.length;
  }

  static async create(opts: WhisperEngineOptions): Promise<WhisperEngine> {
    const count = Math.max(1, opts.workers ?? 1);
    const slots: Slot[] = [];
    try {
      for (let i = 0; i < count; i++)
        slots.push({ worker: await WhisperEngine.#spawn(opts.model.path, opts.logger) });
    } catch (err) {
      await Promise.all(slots.map((s) => s.worker.terminate()));
      throw err;
    }
    return new WhisperEngine(slots, opts);
  }

  static #spawn(modelPath: string, logger: Logger): Promise<Worker> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./whisper-worker.mjs', import.meta.url), {
        workerData: { modelPath },
      });
      const fail = (err: Error) => {
        void worker.terminate();
        reject(new AppError('unavailable', err.message, { path: modelPath }, { cause: err }));
      };
      worker.once('error', fail);
      worker.once('message', (msg: { type: string; loadMs?: number; message?: string }) => {
        worker.off('error', fail);
        if (msg.type === 'ready') {
          logger.info({ modelPath, loadMs: Math.round(msg.loadMs ?? 0) }, 'whisper model loaded');
          resolve(worker);
        } else fail(new Error(msg.message ?? 'whisper worker failed to start'));
      });
    });
  }

  #listen(slot: Slot): void {
    slot.worker.on('message', (msg: { type: string; id?: number; text?: string; message?: string }) => {
      const job = slot.job;
      if (!job || msg.id !== job.id) return;
      slot.job = undefined;
      if (msg.type === 'result') job.resolve(msg.text ?? '');
      else job.reject(new AppError('internal', `whisper recognition failed: ${msg.message}`));
      this.#pump();
    });
    slot.worker.on('error', (err) => {
      this.#logger.error({ err }, 'whisper worker crashed');
      slot.job?.reject(
        new AppError('internal', `whisper worker crashed: ${err.message}`, undefined, { cause: err }),
      );
      slot.job = undefined;
    });
    slot.worker.on('exit', (code) => {
      if (this.#closed) return;
      // A dead worker must not keep its slot: jobs posted to it would never answer.
      this.#logger.error({ code }, 'whisper worker exited');
      slot.job?.reject(new AppError('internal', `whisper worker exited with ${code}`));
      slot.job = undefined;
      this.#slots.splice(this.#slots.indexOf(slot), 1);
      if (this.#slots.length === 0) {
        for (const w of this.#waiting.splice(0))
          w.job.reject(new AppError('unavailable', `${this.name}: no worker left`));
      }
    });
  }

  async recognize(pcm16k: Float32Array, options: RecognizeOptions = {}): Promise<RecognizedSegment[]> {
    if (this.#closed) throw new AppError('unavailable', `${this.name} is closed`);
    if (this.#slots.length === 0) throw new AppError('unavailable', `${this.name}: every worker died`);
    const durationMs = (pcm16k.length / SAMPLE_RATE) * 1000;
    let pcm = pcm16k;
    if (pcm.length < MIN_SAMPLES) {
      pcm = new Float32Array(MIN_SAMPLES);
      pcm.set(pcm16k);
    } else pcm = pcm16k.slice(); // transferred to the worker: never detach the caller's buffer
    const raw = await new Promise<string>((resolve, reject) => {
      this.#waiting.push({
        pcm,
        // A partial is a preview: reading a prompt would cost more than its audio (whisperText.ts).
        prompt: options.partial ? '' : hintsToPrompt(options.hints, this.#promptChars),
        // The token rate follows the language decoded: anything but English may be Mandarin.
        maxTokens: tokenBudget(durationMs, this.#language !== 'en', options.partial === true),
        job: { id: this.#nextId++, resolve, reject },
      });
      this.#pump();
    });
    const text = cleanWhisperText(raw);
    if (text.length === 0) return [];
    // The binding returns text only (no token probabilities): confidence is a fixed estimate, documented.
    return [{ startMs: 0, endMs: Math.round(durationMs), text, confidence: 0.8 }];
  }

  #pump(): void {
    for (const slot of this.#slots) {
      if (slot.job) continue;
      const next = this.#waiting.shift();
      if (!next) return;
      slot.job = next.job;
      slot.worker.postMessage(
        {
          type: 'recognize',
          id: next.job.id,
          pcm: next.pcm,
          prompt: next.prompt,
          maxTokens: next.maxTokens,
          threads: this.#threads,
          language: this.#language,
          singleSegment: next.pcm.length <= 30 * SAMPLE_RATE,
          audioCtx:
            this.#audioCtx === 'auto' && next.pcm.length <= 30 * SAMPLE_RATE
              ? audioCtxFor(next.pcm.length)
              : 0,
        },
        [next.pcm.buffer as ArrayBuffer],
      );
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.#waiting.splice(0)) w.job.reject(new AppError('unavailable', `${this.name} closed`));
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}
