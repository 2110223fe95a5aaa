// Worker threads running the person detector, shared by every lobby camera of
// the edge. Each worker holds its own copy of the model (~4 MB of weights) and
// runs one inference at a time on one core; cameras queue their frames here.
// Sized by LOBBY_DETECTOR_WORKERS: the calls' media and transcription need the
// other cores (see docs/lobby.md for the measured budget).
import { Worker } from 'node:worker_threads';
import type { Logger } from '#common/logger';
import { spawnTsWorker } from '#common/tsWorker';
import { AppError } from '#protocol/errors';
import type { Detection } from './model.ts';

/**
 * Which runtime executes CenterNet. `onnx` (default): the graph converted at
 * load time, run by onnxruntime-node — about a third of tfjs-wasm's CPU per
 * frame, same detections. `tfjs`: the package's graph as shipped.
 */
export type DetectorBackend = 'onnx' | 'tfjs';

export interface DetectResult {
  detections: Detection[];
  /** Inference time inside the worker. */
  ms: number;
}

export interface PersonDetector {
  detect(rgb: Uint8Array, width: number, height: number, minScore: number): Promise<DetectResult>;
  close(): Promise<void>;
}

interface Job {
  id: number;
  rgb: Uint8Array;
  width: number;
  height: number;
  minScore: number;
  resolve: (r: DetectResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  job?: Job;
}

type Reply = { id: number; detections: Detection[]; ms: number } | { id: number; error: string };

export class DetectorPool implements PersonDetector {
  readonly #slots: Slot[];
  readonly #queue: Job[] = [];
  readonly #logger: Logger;
  #nextId = 1;
  #closed = false;

  private constructor(
    slots: Slot[],
    logger: Logger,
    readonly backend: DetectorBackend,
  ) {
    this.#slots = slots;
    this.#logger = logger;
    for (const slot of slots) this.#listen(slot);
  }

  static async create(
    workers: number,
    logger: Logger,
    backend: DetectorBackend = 'onnx',
  ): Promise<DetectorPool> {
    const slots: Slot[] = [];
    try {
      for (let i = 0; i < Math.max(1, workers); i++) slots.push({ worker: await spawnWorker(backend) });
    } catch (err) {
      await Promise.all(slots.map((s) => s.worker.terminate()));
      throw err;
    }
    logger.info({ workers: slots.length, backend, model: 'centernet (COCO person)' }, 'lobby detector ready');
    return new DetectorPool(slots, logger, backend);
  }

  get size(): number {
    return this.#slots.length;
  }

  /** Frames waiting for a free worker. */
  get queued(): number {
    return this.#queue.length;
  }

  detect(rgb: Uint8Array, width: number, height: number, minScore: number): Promise<DetectResult> {
    if (this.#closed) return Promise.reject(new AppError('unavailable', 'lobby detector closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, rgb, width, height, minScore, resolve, reject });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (slot.job) continue;
      const job = this.#queue.shift();
      if (!job) return;
      slot.job = job;
      // Transfer the frame's memory to the worker: no copy, and the main thread keeps no reference to it.
      const rgb =
        job.rgb.byteOffset === 0 && job.rgb.byteLength === job.rgb.buffer.byteLength
          ? job.rgb
          : job.rgb.slice();
      slot.worker.postMessage(
        { id: job.id, rgb, width: job.width, height: job.height, minScore: job.minScore },
        [rgb.buffer as ArrayBuffer],
      );
    }
  }

  #listen(slot: Slot): void {
    slot.worker.on('message', (msg: Reply) => {
      const job = slot.job;
      if (!job || msg.id !== job.id) return;
      slot.job = undefined;
      if ('error' in msg) job.reject(new AppError('internal', `detector: ${msg.error}`));
      else job.resolve({ detections: msg.detections, ms: msg.ms });
      this.#dispatch();
    });
    slot.worker.on('error', (err) => {
      this.#logger.error({ err: err.message }, 'lobby detector worker crashed');
      slot.job?.reject(new AppError('unavailable', `detector worker crashed: ${err.message}`));
      slot.job = undefined;
      if (this.#closed) return;
      // Replace the worker so the cameras keep going.
      void spawnWorker(this.backend)
        .then((worker) => {
          slot.worker = worker;
          this.#listen(slot);
          this.#dispatch();
        })
        .catch((e: Error) =>
          this.#logger.error({ err: e.message }, 'lobby detector worker could not be restarted'),
        );
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(new AppError('unavailable', 'lobby detector closed'));
    for (const slot of this.#slots) slot.job?.reject(new AppError('unavailable', 'lobby detector closed'));
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}

function spawnWorker(backend: DetectorBackend): Promise<Worker> {
  // The worker is TypeScript like the rest of the edge.
  return spawnTsWorker(new URL('./detector-worker.ts', import.meta.url), {
    workerData: { backend },
    loadFailed: 'detector failed to load',
    threadFailed: 'detector worker failed',
  });
}
