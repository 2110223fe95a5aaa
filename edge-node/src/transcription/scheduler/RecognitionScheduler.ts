// Shared by every stream of every call on the edge: runs recognitions on the
// engine (as many at once as it has workers), confirmed finals first, then
// speculative finals (an utterance whose end is likely but not yet confirmed),
// then partials — with two or more workers one is kept free of partials, so a
// final never waits behind a partial that cannot be interrupted; on a machine
// of two cores or fewer no partial starts while a final runs either, since the
// two would share the cores the SFU needs too and slow the final — at most
// one waiting partial per stream (a newer one replaces it), partials dropped
// when stale, and a bounded queue of finals. When finals wait longer than
// `overloadWaitMs` or the queue is full, it says so (`capacity` event) instead
// of falling behind silently; past `maxQueuedFinals` it drops the oldest final
// and reports it (`dropped`), so memory and latency stay bounded. A
// speculation withdrawn before it starts leaves the queue; one already running
// keeps its worker until it finishes (whisper's `full()` cannot be stopped)
// and is counted as wasted work.
import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import type { Logger } from '#common/logger';
import type { RecognizedSegment, RecognizeOptions, SpeechEngine } from '../engine.ts';

export type Priority = 'final' | 'speculative' | 'partial';

export interface RecognitionJob {
  /** Stream the job belongs to; at most one partial and one speculation per key wait. */
  streamKey: string;
  priority: 'final' | 'partial';
  pcm: Float32Array;
  options?: RecognizeOptions;
}

export interface SchedulerSettings {
  maxQueuedFinals: number;
  /** A waiting final older than this means the edge is over capacity. */
  overloadWaitMs: number;
  /** A partial that waited this long is useless: dropped. */
  partialMaxWaitMs: number;
  /**
   * Whether a partial may start while a final (or speculation) is being
   * recognised. Off on ≤ 2 cores: the partial would take the core the final,
   * the SFU and the recorders share (measured, 6 speakers in the pipeline
   * benchmark: finals p50 0.81–0.82 → 0.77 s, p95 0.97–1.10 → 0.84 s).
   */
  partialsBesideFinals: boolean;
}

export const DEFAULT_SCHEDULER: SchedulerSettings = {
  maxQueuedFinals: 24,
  overloadWaitMs: 2_000,
  partialMaxWaitMs: 1_000,
  partialsBesideFinals: availableParallelism() > 2,
};

export interface CapacityReport {
  overCapacity: boolean;
  queuedFinals: number;
  queuedSpeculative: number;
  queuedPartials: number;
  oldestFinalWaitMs: number;
  running: number;
}

export interface SchedulerStats {
  finals: number;
  partials: number;
  droppedFinals: number;
  droppedPartials: number;
  /** Speculative finals submitted / confirmed (became the final). */
  speculations: number;
  speculationsConfirmed: number;
  /** Withdrawn while waiting: cost nothing. */
  speculationsCancelled: number;
  /** Withdrawn after they had started: a worker's time spent for nothing (`wastedMs`). */
  speculationsWasted: number;
  wastedMs: number;
  /** Engine time of every recognition, wasted speculations included. */
  busyMs: number;
}

/** A final submitted before its utterance's end is confirmed. */
export interface Speculation {
  /** Settles when the recognition is done (or rejects with `RecognitionDropped`). */
  readonly result: Promise<RecognizedSegment[]>;
  /** The end is confirmed: from now on a final (waiting: it joins the finals, by age). */
  confirm(): void;
  /**
   * The utterance went on: waiting, it leaves the queue; running, it keeps its
   * worker until done. `result` then rejects with `RecognitionDropped('cancelled')`
   * (or the engine's own error: never hidden).
   */
  cancel(): void;
}

export type SchedulerEvents = {
  capacity: [report: CapacityReport];
  dropped: [job: { streamKey: string; priority: Priority; reason: string }];
};

/** Thrown to the submitter of a job the scheduler dropped. */
export class RecognitionDropped extends Error {
  constructor(readonly reason: 'superseded' | 'stale' | 'overload' | 'closed' | 'cancelled') {
    super(`recognition dropped: ${reason}`);
    this.name = 'RecognitionDropped';
  }
}

interface Queued {
  job: Omit<RecognitionJob, 'priority'>;
  /** A speculation becomes 'final' when confirmed. */
  kind: Priority;
  state: 'queued' | 'running' | 'done';
  cancelled: boolean;
  enqueuedAt: number;
  ranMs: number;
  resolve: (segments: RecognizedSegment[]) => void;
  reject: (err: Error) => void;
}

export class RecognitionScheduler extends EventEmitter<SchedulerEvents> {
  readonly settings: SchedulerSettings;
  readonly #finals: Queued[] = []; // oldest first
  readonly #speculative = new Map<string, Queued>();
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
    speculations: 0,
    speculationsConfirmed: 0,
    speculationsCancelled: 0,
    speculationsWasted: 0,
    wastedMs: 0,
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
      queuedSpeculative: this.#speculative.size,
      queuedPartials: this.#partials.size,
      oldestFinalWaitMs: oldest ? Math.round(this.now() - oldest.enqueuedAt) : 0,
      running: this.#running,
    };
  }

  submit(job: RecognitionJob): Promise<RecognizedSegment[]> {
    if (this.#closed) return Promise.reject(new RecognitionDropped('closed'));
    return new Promise((resolve, reject) => {
      const q = this.#queued(job, job.priority, resolve, reject);
      if (job.priority === 'final') {
        this.#enqueueFinal(q);
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

  /**
   * Recognition of an utterance whose end is likely but not confirmed: runs
   * after waiting finals, before partials, on any worker (it is a final-to-be).
   */
  speculate(job: Omit<RecognitionJob, 'priority'>): Speculation {
    if (this.#closed) {
      const result = Promise.reject(new RecognitionDropped('closed'));
      return { result, confirm: () => undefined, cancel: () => undefined };
    }
    let settle!: Pick<Queued, 'resolve' | 'reject'>;
    const result = new Promise<RecognizedSegment[]>((resolve, reject) => (settle = { resolve, reject }));
    const spec = this.#queued(job, 'speculative', settle.resolve, settle.reject);
    this.stats.speculations++;
    const previous = this.#speculative.get(job.streamKey);
    if (previous) {
      this.#speculative.delete(job.streamKey);
      previous.cancelled = true;
      this.stats.speculationsCancelled++;
      previous.reject(new RecognitionDropped('superseded'));
    }
    this.#speculative.set(job.streamKey, spec);
    this.#pump();
    return {
      result,
      confirm: () => this.#confirm(spec),
      cancel: () => this.#cancel(spec),
    };
  }

  #queued(
    job: Omit<RecognitionJob, 'priority'>,
    kind: Priority,
    resolve: Queued['resolve'],
    reject: Queued['reject'],
  ): Queued {
    return {
      job,
      kind,
      state: 'queued',
      cancelled: false,
      enqueuedAt: this.now(),
      ranMs: 0,
      resolve,
      reject,
    };
  }

  #enqueueFinal(q: Queued): void {
    // By age: a confirmed speculation has waited since it was submitted.
    let i = this.#finals.length;
    while (i > 0 && this.#finals[i - 1]!.enqueuedAt > q.enqueuedAt) i--;
    this.#finals.splice(i, 0, q);
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
  }

  #confirm(q: Queued): void {
    if (q.kind !== 'speculative' || q.cancelled) return;
    q.kind = 'final';
    this.stats.speculationsConfirmed++;
    if (q.state === 'done') this.stats.finals++;
    if (q.state !== 'queued' || this.#speculative.get(q.job.streamKey) !== q) return;
    this.#speculative.delete(q.job.streamKey);
    this.#enqueueFinal(q);
    this.#pump();
  }

  #cancel(q: Queued): void {
    if (q.kind !== 'speculative' || q.cancelled) return;
    q.cancelled = true;
    if (q.state === 'queued') {
      if (this.#speculative.get(q.job.streamKey) === q) this.#speculative.delete(q.job.streamKey);
      this.stats.speculationsCancelled++;
      q.reject(new RecognitionDropped('cancelled'));
    } else if (q.state === 'done') {
      this.stats.speculationsWasted++;
      this.stats.wastedMs += q.ranMs;
    }
    // Running: its worker stays busy until the engine returns; accounted for then.
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
    for (const [key, q] of this.#speculative) {
      this.#speculative.delete(key);
      return q;
    }
    if (this.#runningPartials >= Math.max(1, this.concurrency - 1)) return undefined;
    if (!this.settings.partialsBesideFinals && this.#running > this.#runningPartials) return undefined;
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
      q.state = 'running';
      const partial = q.kind === 'partial';
      if (partial) this.#runningPartials++;
      const started = this.now();
      const settle = () => {
        this.#running--;
        if (partial) this.#runningPartials--;
        q.state = 'done';
        q.ranMs = this.now() - started;
        this.stats.busyMs += q.ranMs;
        if (q.cancelled) {
          this.stats.speculationsWasted++;
          this.stats.wastedMs += q.ranMs;
        } else if (q.kind === 'final') this.stats.finals++;
        else if (partial) this.stats.partials++;
        // An unconfirmed speculation is counted when it is confirmed or cancelled.
      };
      this.engine.recognize(q.job.pcm, q.job.options).then(
        (segments) => {
          settle();
          if (q.cancelled) q.reject(new RecognitionDropped('cancelled'));
          else q.resolve(segments);
          this.#pump();
        },
        (err: unknown) => {
          settle();
          q.reject(err as Error);
          this.#pump();
        },
      );
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
    for (const q of this.#speculative.values()) q.reject(new RecognitionDropped('closed'));
    this.#speculative.clear();
    for (const q of this.#partials.values()) q.reject(new RecognitionDropped('closed'));
    this.#partials.clear();
  }
}
