// Live compliance for one call: fed FINAL transcript segments and frame
// observations as they come, re-evaluates the pack, emits `alert` once per new
// problem and `checklist` whenever a status changes; `finish()` turns what is
// still missing into failures and returns the report.
import { EventEmitter } from 'node:events';
import type { Checklist, ComplianceAlert, TranscriptSegment } from '#protocol/events';
import type { Report, ReportAlert, ReportTranscriptLine } from '#protocol/report';
import type { CallRole } from '#protocol/roles';
import { AppError } from '#protocol/errors';
import { createLogger, type Logger } from '#common/logger';
import { CallState, type FrameObservation } from './engine/call-state.ts';
import { PackEvaluator } from './engine/evaluator.ts';
import type { Outcome } from './engine/types.ts';
import type { RulePack } from './pack/schema.ts';
import { buildReport } from './report.ts';

let defaultLog: Logger | undefined;
/** Created on first use so a CLI that passes its own (stderr) logger never writes to stdout. */
function defaultLogger(): Logger {
  defaultLog ??= createLogger('edge').child({ module: 'compliance' });
  return defaultLog;
}

export type ComplianceSessionEvents = {
  alert: [ComplianceAlert];
  checklist: [Checklist];
};

/** What `addSegment` needs: a final segment, or a transcript line of a stored call. */
export type SegmentInput = Pick<TranscriptSegment, 'role' | 'startMs' | 'endMs' | 'text'> &
  Partial<Pick<TranscriptSegment, 'final'>>;

export class ComplianceSession extends EventEmitter<ComplianceSessionEvents> {
  readonly #evaluator: PackEvaluator;
  readonly #state: CallState;
  readonly #alerts: ReportAlert[] = [];
  readonly #alertKeys = new Set<string>();
  #outcomes = new Map<string, Outcome>();
  #finished: Report | undefined;

  constructor(
    readonly pack: RulePack,
    readonly callId: string,
    options: { transcriptSource?: string; logger?: Logger } = {},
  ) {
    super();
    this.#evaluator = new PackEvaluator(pack);
    this.#state = new CallState(this.#evaluator.normalizer);
    this.#transcriptSource = options.transcriptSource;
    this.#log = options.logger ?? defaultLogger();
  }

  readonly #transcriptSource: string | undefined;
  readonly #log: Logger;

  /** Adds one FINAL segment (partials are ignored) and re-evaluates. */
  addSegment(seg: SegmentInput): void {
    this.#assertOpen();
    if (seg.final === false) return;
    if (seg.text.trim() === '') return;
    this.#state.addUtterance({
      role: seg.role,
      startMs: seg.startMs,
      endMs: Math.max(seg.startMs, seg.endMs),
      text: seg.text.trim(),
    });
    this.#update(false);
  }

  /** Adds an analysed video frame (faces counted and/or OCR text) and re-evaluates. */
  addFrameObservation(frame: FrameObservation): void {
    this.#assertOpen();
    this.#state.addFrame(frame);
    this.#update(false);
  }

  /** Current checklist (pending items not decided yet). */
  checklist(): Checklist {
    return {
      callId: this.callId,
      pack: { id: this.pack.id, version: this.pack.version },
      items: this.pack.checks.map((c) => ({
        id: c.id,
        title: c.title,
        severity: c.severity,
        status: this.#outcomes.get(c.id)?.status ?? 'pending',
      })),
    };
  }

  /** Ends the call: missing items fail, the report is built (idempotent). */
  finish(options: { durationMs?: number } = {}): Report {
    if (this.#finished) return this.#finished;
    this.#update(true);
    const transcript: ReportTranscriptLine[] = this.#state.utterances.map((u) => ({
      role: u.role as CallRole,
      startMs: u.startMs,
      endMs: u.endMs,
      text: u.text,
    }));
    this.#finished = buildReport({
      callId: this.callId,
      pack: this.pack,
      outcomes: this.#outcomes,
      alerts: [...this.#alerts].sort((a, b) => a.atMs - b.atMs),
      transcript,
      durationMs: Math.max(options.durationMs ?? 0, this.#state.lastMs),
      ...(this.#transcriptSource ? { transcriptSource: this.#transcriptSource } : {}),
    });
    this.#log.info(
      {
        callId: this.callId,
        pack: `${this.pack.id}@${this.pack.version}`,
        verdict: this.#finished.verdict,
        score: this.#finished.score,
      },
      'compliance report ready',
    );
    return this.#finished;
  }

  get finished(): boolean {
    return this.#finished !== undefined;
  }

  #assertOpen(): void {
    if (this.#finished)
      throw new AppError('conflict', `compliance session for call ${this.callId} is finished`);
  }

  #update(final: boolean): void {
    const before = this.#outcomes;
    this.#outcomes = this.#evaluator.evaluate(this.#state, final);
    const severityOf = new Map(this.pack.checks.map((c) => [c.id, c.severity]));
    for (const [id, o] of this.#outcomes) {
      for (const a of o.alerts) {
        if (this.#alertKeys.has(a.key)) continue;
        this.#alertKeys.add(a.key);
        const severity = severityOf.get(id)!;
        this.#alerts.push({ atMs: a.atMs, checkId: id, message: a.message, severity });
        this.#emitSafely('alert', {
          callId: this.callId,
          atMs: a.atMs,
          checkId: id,
          severity,
          message: a.message,
        });
      }
    }
    const changed = this.pack.checks.some(
      (c) => before.get(c.id)?.status !== this.#outcomes.get(c.id)?.status,
    );
    if (changed) this.#emitSafely('checklist', this.checklist());
  }

  /** A listener's error must not break the call's evaluation: log it and go on. */
  #emitSafely<K extends keyof ComplianceSessionEvents>(event: K, ...args: ComplianceSessionEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: ComplianceSessionEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.#log.error({ err, callId: this.callId, event }, 'compliance listener failed');
    }
  }
}
