// The edge's frame-analysis thread (analysis-worker.ts), seen from the main
// thread: frames of every call queue here and are analysed one at a time, so
// the analysis never takes more than one core. A crashed thread is replaced and
// its open calls re-opened (their OCR schedules start afresh); the frame it was
// working on fails.
import { Worker } from 'node:worker_threads';
import type { Logger } from '#common/logger';
import { spawnTsWorker } from '#common/tsWorker';
import { AppError } from '#protocol/errors';
import type { FrameObservation } from '../../compliance/engine/call-state.ts';
import type { RulePack } from '../../compliance/pack/schema.ts';
import type { AnalysisRequest } from './analysis-worker.ts';

export interface AnalysedFrame {
  observation: FrameObservation;
  /** Time spent in the analysis thread. */
  ms: number;
}

interface Job {
  request: Extract<AnalysisRequest, { type: 'frame' }>;
  resolve: (r: AnalysedFrame) => void;
  reject: (e: Error) => void;
}

type Reply = { id: number; observation: FrameObservation; ms: number } | { id: number; error: string };

export class AnalysisThread {
  readonly #queue: Job[] = [];
  readonly #open = new Map<string, RulePack>();
  #worker: Worker;
  #job?: Job;
  /** Settles when the frame in analysis is done (undefined when none is). */
  #idle?: Promise<void>;
  #jobDone?: () => void;
  #nextId = 1;
  #closed = false;
  /** Set when a replacement thread could not start: every frame fails from then on. */
  #failed?: Error;

  private constructor(
    worker: Worker,
    private readonly logger: Logger,
  ) {
    this.#worker = worker;
    this.#listen(worker);
  }

  /** Starts the thread and loads the models (~1–2 s); rejects with `unavailable` when they cannot load. */
  static async start(logger: Logger): Promise<AnalysisThread> {
    return new AnalysisThread(await spawn(), logger);
  }

  /** Frames waiting for the thread (at most one per camera: see InFlightGate). */
  get queued(): number {
    return this.#queue.length;
  }

  open(callId: string, pack: RulePack): void {
    this.#open.set(callId, pack);
    this.#worker.postMessage({ type: 'open', callId, pack } satisfies AnalysisRequest);
  }

  close(callId: string): void {
    if (!this.#open.delete(callId)) return;
    this.#worker.postMessage({ type: 'close', callId } satisfies AnalysisRequest);
  }

  analyse(callId: string, camera: string, atMs: number, file: string): Promise<AnalysedFrame> {
    if (this.#closed) return Promise.reject(new AppError('unavailable', 'frame analysis closed'));
    if (this.#failed) return Promise.reject(this.#failed);
    return new Promise((resolve, reject) => {
      this.#queue.push({
        request: { type: 'frame', id: this.#nextId++, callId, camera, atMs, file },
        resolve,
        reject,
      });
      this.#dispatch();
    });
  }

  /**
   * Stops the thread; queued frames fail. A frame in analysis is let finish
   * first (at most `graceMs`): terminating a thread inside an ONNX inference
   * aborts the whole process.
   */
  async terminate(graceMs = 10_000): Promise<void> {
    this.#closed = true;
    const err = new AppError('unavailable', 'frame analysis closed');
    for (const job of this.#queue.splice(0)) job.reject(err);
    if (this.#idle) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.#idle, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
    }
    this.#job?.reject(err);
    this.#job = undefined;
    await this.#worker.terminate();
  }

  #settled(): void {
    this.#jobDone?.();
    this.#jobDone = undefined;
    this.#idle = undefined;
  }

  #dispatch(): void {
    if (this.#job || this.#closed || this.#worker.threadId === -1) return;
    const job = this.#queue.shift();
    if (!job) return;
    this.#job = job;
    this.#idle = new Promise((resolve) => (this.#jobDone = resolve));
    this.#worker.postMessage(job.request);
  }

  #listen(worker: Worker): void {
    worker.on('message', (msg: Reply) => {
      const job = this.#job;
      if (!job || msg.id !== job.request.id) return;
      this.#job = undefined;
      this.#settled();
      if ('error' in msg) job.reject(new AppError('internal', `frame analysis: ${msg.error}`));
      else job.resolve({ observation: msg.observation, ms: msg.ms });
      this.#dispatch();
    });
    let lastError = '';
    worker.on('error', (err) => {
      lastError = err.message;
    });
    // 'exit' follows 'error' too: one place replaces the thread.
    worker.once('exit', (code) => {
      if (this.#closed || this.#worker !== worker) return;
      const reason = lastError || `exit code ${code}`;
      this.logger.error({ reason }, 'frame analysis thread died; starting a new one');
      this.#job?.reject(new AppError('unavailable', `frame analysis thread died: ${reason}`));
      this.#job = undefined;
      this.#settled();
      void spawn()
        .then((next) => {
          if (this.#closed) return void next.terminate();
          this.#worker = next;
          this.#listen(next);
          for (const [callId, pack] of this.#open)
            next.postMessage({ type: 'open', callId, pack } satisfies AnalysisRequest);
          this.#dispatch();
        })
        .catch((e: Error) => {
          this.logger.error({ err: e.message }, 'frame analysis thread could not be restarted');
          this.#failed = e;
          for (const job of this.#queue.splice(0)) job.reject(e);
        });
    });
  }
}

function spawn(): Promise<Worker> {
  return spawnTsWorker(new URL('./analysis-worker.ts', import.meta.url), {
    loadFailed: 'frame analysis could not load its models',
    threadFailed: 'frame analysis thread failed',
  });
}
