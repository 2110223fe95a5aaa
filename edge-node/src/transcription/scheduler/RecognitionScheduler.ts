// Shared by every stream of every call on the edge: runs recognitions on the
// engine (as many at once as it has workers), finals before partials — with
// two or more workers one is kept free of partials, so a final never waits
// behind a partial that cannot be interrupted — at most
// one waiting partial per stream (a newer one replaces it), partials dropped
// when stale, and a bounded queue of finals. When finals wait longer than
// `overloadWaitMs` or the queue is full, it says so (`capacity` event) instead
// of falling behind silently; past `maxQueuedFinals` it drops the oldest final
// and reports it (`dropped`), so memory and latency stay bounded.
import { EventEmitter } from 'node:events';
import type { Logger } from '#common/logger';
import type { RecognizedSegment, RecognizeOptions, SpeechEngine } from '../engine.ts';

export type Priority = 'final' | 'partial';

export interface RecognitionJob {
  /** Stream the job belongs to; at most one partial per key waits. */
  streamKey: string;
  priority: Priority;
  pcm: Float32Array;
  options?: RecognizeOptions;
}

export interface SchedulerSettings {
  maxQueuedFinals: number;
  /** A waiting final older than this means the edge is over capacity. */
  overloadWaitMs: number;
  /** A partial that waited this long is useless: dropped. */
  partialMaxWaitMs: number;
}

export const DEFAULT_SCHEDULER: SchedulerSettings = {
  maxQueuedFinals: 24,
  overloadWaitMs: 2_000,
  partialMaxWaitMs: 1_000,
};

export interface CapacityReport {
  overCapacity: boolean;
  queuedFinals: number;
  queuedPartials: number;
  oldestFinalWaitMs: number;
  running: number;
}

export interface SchedulerStats {
  finals: number;
  partials: number;
  droppedFinals: number;
  droppedPartials: number;
  busyMs: number;
}

export type SchedulerEvents = {
  capacity: [report: CapacityReport];
  dropped: [job: { streamKey: string; priority: Priority; reason: string }];
};

/** Thrown to the submitter of a job the scheduler dropped. */
export class RecognitionDropped extends Error {
  constructor(readonly reason: 'superseded' | 'stale' | 'overload' | 'closed') {
    super(`recognition dropped: ${reason}`);
    this.name = 'RecognitionDropped';
  }
}

interface Queued {
  job: RecognitionJob;
  enqueuedAt: number;
  resolve: (segments: RecognizedSegment[]) => void;
  reject: (err: Error) => void;
}

export class RecognitionScheduler extends EventEmitter<SchedulerEvents> {
  readonly settings: SchedulerSettings;
  readonly #finals: Queued[] = [];
  readonly #partials = new Map<string, Queued>();
  #running = 0;
  #runningPartials = 0;
  #over = false;
  #closed = false;
  readonly stats: SchedulerStats = {
    finals: 0,
    partials: 0,
    droppedFinals: 0,
    droppedPartials: 0,
    busyMs: 0,
  };

  constructor(
    readonly engine: SpeechEngine,
    private readonly logger: Logger,
    settings: Partial<SchedulerSettings> = {},
    private readonly now: () => number = () => performance.now(),
  ) {
    super();
    this.settings = { ...DEFAULT_SCHEDULER, ...settings };
  }

  get concurrency(): number {
    return Math.max(1, this.engine.concurrency ?? 1);
  }

  get overCapacity(): boolean {
    return this.#over;
  }

  report(): CapacityReport {
    const oldest = this.#finals[0];
    return {
      overCapacity: this.#over,
      queuedFinals: this.#finals.length,
      queuedPartials: this.#partials.size,
      oldestFinalWaitMs: oldest ? Math.round(this.now() - oldest.enqueuedAt) : 0,
      running: this.#running,
    };
  }

  submit(job: RecognitionJob): Promise<RecognizedSegment[]> {
    if (this.#closed) return Promise.reject(new RecognitionDropped('closed'));
    return new Promise((resolve, reject) => {
      const q: Queued = { job, enqueuedAt: this.now(), resolve, reject };
      if (job.priority === 'final') {
        this.#finals.push(q);
        if (this.#finals.length > this.settings.maxQueuedFinals) {
          const dropped = this.#finals.shift()!;
          this.stats.droppedFinals++;
          this.logger.warn(
            { streamKey: dropped.job.streamKey, queued: this.#finals.length },
            'over capacity: final recognition dropped',
          );
          this.emit('dropped', { streamKey: dropped.job.streamKey, priority: 'final', reason: 'overload' });
          dropped.reject(new RecognitionDropped('overload'));
        }
      } else {
        const previous = this.#partials.get(job.streamKey);
        if (previous) {
          this.stats.droppedPartials++;
          previous.reject(new RecognitionDropped('superseded'));
        }
        // Delete first so the stream moves to the back of the round-robin order.
        this.#partials.delete(job.streamKey);
        this.#partials.set(job.streamKey, q);
      }
      this.#pump();
    });
  }

  /** Drops a stream's waiting partial (its utterance ended). */
  cancelPartial(streamKey: string): void {
    const q = this.#partials.get(streamKey);
    if (!q) return;
    this.#partials.delete(streamKey);
    this.stats.droppedPartials++;
    q.reject(new RecognitionDropped('superseded'));
  }

  #next(): Queued | undefined {
    const final = this.#finals.shift();
    if (final) return final;
    if (this.#runningPartials >= Math.max(1, this.concurrency - 1)) return undefined;
    const now = this.now();
    for (const [key, q] of this.#partials) {
      this.#partials.delete(key);
      if (now - q.enqueuedAt > this.settings.partialMaxWaitMs) {
        this.stats.droppedPartials++;
        q.reject(new RecognitionDropped('stale'));
        continue;
      }
      return q;
    }
    return undefined;
  }

  #pump(): void {
    while (!this.#closed && this.#running < this.concurrency) {
      const q = this.#next();
      if (!q) break;
      this.#running++;
      const partial = q.job.priority === 'partial';
      if (partial) this.#runningPartials++;
      const started = this.now();
      this.engine
        .recognize(q.job.pcm, q.job.options)
        .then(q.resolve, q.reject)
        .finally(() => {
          this.#running--;
          if (partial) this.#runningPartials--;
          this.stats.busyMs += this.now() - started;
          if (q.job.priority === 'final') this.stats.finals++;
          else this.stats.partials++;
          this.#pump();
        });
    }
    this.#checkCapacity();
  }

  #checkCapacity(): void {
    const r = this.report();
    const over =
      r.queuedFinals >= this.settings.maxQueuedFinals || r.oldestFinalWaitMs > this.settings.overloadWaitMs;
    // Back under only when the queue has drained: no flapping.
    const next = this.#over
      ? r.queuedFinals > this.concurrency || r.oldestFinalWaitMs > this.settings.overloadWaitMs / 2
      : over;
    if (next !== this.#over) {
      this.#over = next;
      const report = { ...r, overCapacity: next };
      if (next) this.logger.warn(report, 'transcription over capacity: finals are waiting');
      else this.logger.info(report, 'transcription back within capacity');
      this.emit('capacity', report);
    }
  }

  /** Re-evaluates capacity (call on a timer: a stuck queue raises no events by itself). */
  tick(): CapacityReport {
    this.#checkCapacity();
    return this.report();
  }

  close(): void {
    this.#closed = true;
    for (const q of this.#finals.splice(0)) q.reject(new RecognitionDropped('closed'));
    for (const q of this.#partials.values()) q.reject(new RecognitionDropped('closed'));
    this.#partials.clear();
  }
}
