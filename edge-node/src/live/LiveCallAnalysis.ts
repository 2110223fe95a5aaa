// The edge listening to its calls: every participant's audio goes to the
// transcription service; final segments feed the call's compliance session;
// transcript, checklist and alerts go to the people in the room who may see
// them (never the customer); frame observations (faces, OCR) from the frame
// sampler feed the same session; at call end the inspection report, transcript
// and event log go to the encrypted archive (the sink) and the verdict to the cloud.
import type { Logger } from '#common/logger';
import type { CallEvent, TranscriptSegment } from '#protocol/events';
import type { Report } from '#protocol/report';
import type { SignalNotification } from '#protocol/signaling';
import type { Room } from '#sfu/index';
import type { CallRegistry } from '../calls/CallRegistry.ts';
import {
  ComplianceSession,
  type FrameObservation,
  knownPackIds,
  loadRulePack,
  packHints,
  renderReportHtml,
  type RulePack,
} from '../compliance/index.ts';
import type { TranscriptionService } from '../transcription/index.ts';
import type { FrameSink } from './frames/LiveFrameSampler.ts';

/** Where a finished call's report goes: a sink the archive (recording issue) or a test provides. */
export interface CallResultSink {
  callFinished(result: {
    callId: string;
    report: Report;
    html: string;
    transcript: TranscriptSegment[];
    events: CallEvent[];
  }): void | Promise<void>;
}

export interface LiveCallAnalysisOptions {
  calls: CallRegistry;
  transcription?: TranscriptionService;
  defaultPack: string;
  logger: Logger;
  onAlert?: (
    callId: string,
    alert: { checkId: string; severity: string; message: string; atMs: number },
  ) => void;
  onReport?: (callId: string, report: Report) => void;
  sink?: CallResultSink;
  /** Live video analysis (live/frames): feeds frame observations; at call end its analyses in flight are awaited (bounded) so the report includes them. */
  frames?: {
    attach(sink: FrameSink): void;
    settle(callId: string): Promise<void> | undefined;
  };
}

interface CallAnalysis {
  compliance: ComplianceSession;
  transcript: TranscriptSegment[];
  /** Annotations, chat and consent sent on the data channels, in call time. */
  events: CallEvent[];
  hints: string[];
  /** The call ended; its report waits for frame analyses in flight. */
  ending?: boolean;
}

/** Staff see transcript and compliance state; the customer sees neither. */
function notifyStaff(room: Room | undefined, notification: SignalNotification): void {
  for (const peer of room?.joinedPeers() ?? []) if (peer.role !== 'customer') peer.notify(notification);
}

export class LiveCallAnalysis {
  readonly #calls = new Map<string, CallAnalysis>();
  readonly #packs = new Map<string, string>();
  /** Reports waiting for the last frame analyses of their call, and results being stored. */
  readonly #finishing = new Set<Promise<void>>();
  readonly #logger: Logger;

  constructor(private readonly o: LiveCallAnalysisOptions) {
    this.#logger = o.logger.child({ module: 'live-analysis' });
    o.calls.onRoom((call, room) => {
      const analysis = this.#analysis(call.callId);
      // Late joiners (and everyone after a room rebuild) get the checklist as it stands.
      room.on(
        'peerJoined',
        (peer) =>
          peer.role !== 'customer' &&
          peer.notify({ type: 'checklist', items: analysis.compliance.checklist().items }),
      );
      // What participants send on the data channels is part of the call's record.
      room.dataTaps.onMessage((peer, channel, message) => {
        let payload: unknown = message;
        try {
          payload = JSON.parse(message);
        } catch {
          // plain text is kept as sent
        }
        const atMs = Math.max(0, Date.now() - call.startedAt);
        analysis.events.push({
          callId: call.callId,
          atMs,
          peerId: peer.id,
          role: peer.role,
          channel,
          payload,
        });
      });
    });
    o.calls.onAudioTrack((track) => {
      if (!o.transcription) return;
      const analysis = this.#analysis(track.callId);
      void o.transcription
        .attach(
          {
            callId: track.callId,
            role: track.role,
            participantId: track.participant.id,
            callStartMs: track.callStartedAt,
            payloadType: track.stream.codec.payloadType,
            clockRate: track.stream.codec.clockRate,
            hints: analysis.hints,
          },
          track.stream,
        )
        .catch((err) =>
          this.#logger.error({ err, callId: track.callId }, 'could not transcribe a participant'),
        );
    });
    o.transcription?.on('segment', (segment) => this.addSegment(segment));
    o.frames?.attach({
      packOf: (callId) => this.#analysis(callId).compliance.pack,
      observe: (callId, frame) => this.addFrameObservation(callId, frame),
    });
    o.calls.onCallEnding((call, reason) => this.finish(call.callId, reason, Date.now() - call.startedAt));
  }

  /** The product (rule pack) of a call, from the cloud's call assignment; unknown ids fall back to the default. */
  setPack(callId: string, packId: string | undefined): void {
    if (!packId) return;
    if (!knownPackIds().includes(packId)) {
      this.#logger.warn({ callId, packId }, 'unknown rule pack for call; using the default');
      return;
    }
    this.#packs.set(callId, packId);
  }

  addSegment(segment: TranscriptSegment): void {
    const analysis = this.#analysis(segment.callId);
    const room = this.o.calls.get(segment.callId)?.room;
    notifyStaff(room, { type: 'transcript', segment });
    if (!segment.final || analysis.compliance.finished) return;
    analysis.transcript.push(segment);
    analysis.compliance.addSegment(segment);
  }

  /** An analysed video frame of a call in progress (ignored once its report is written). */
  addFrameObservation(callId: string, frame: FrameObservation): void {
    const analysis = this.#calls.get(callId);
    if (!analysis || analysis.compliance.finished) return;
    analysis.compliance.addFrameObservation(frame);
  }

  /** Data-channel events logged so far for a call in progress. */
  eventCount(callId: string): number {
    return this.#calls.get(callId)?.events.length ?? 0;
  }

  checklist(callId: string) {
    return this.#calls.get(callId)?.compliance.checklist();
  }

  /**
   * Ends a call's analysis: missing items fail, the report is written and
   * announced. At once, unless frames of the call are still being analysed: then
   * after those (the sampler bounds the wait). Idempotent.
   */
  finish(callId: string, reason: string, durationMs?: number): void {
    const analysis = this.#calls.get(callId);
    if (!analysis || analysis.compliance.finished || analysis.ending) return;
    analysis.ending = true;
    const pending = this.o.frames?.settle(callId);
    if (!pending) return this.#report(callId, analysis, reason, durationMs);
    this.#track(
      pending
        .then(() => this.#report(callId, analysis, reason, durationMs))
        .catch((err: unknown) => this.#logger.error({ err, callId }, 'could not finish the call analysis')),
    );
  }

  /** Resolves when every ended call's report has been written and stored (edge shutdown waits for it before closing the archive). */
  async settled(): Promise<void> {
    while (this.#finishing.size > 0) await Promise.all([...this.#finishing]);
  }

  #report(callId: string, analysis: CallAnalysis, reason: string, durationMs = 0): void {
    const report = analysis.compliance.finish({ durationMs });
    const html = renderReportHtml(report);
    this.#calls.delete(callId);
    this.#packs.delete(callId);
    this.#logger.info({ callId, reason, verdict: report.verdict }, 'call analysis finished');
    this.o.onReport?.(callId, report);
    this.#track(
      Promise.resolve(
        this.o.sink?.callFinished({
          callId,
          report,
          html,
          transcript: analysis.transcript,
          events: analysis.events,
        }),
      ).catch((err) => this.#logger.error({ err, callId }, 'storing the call result failed')),
    );
  }

  #track(p: Promise<void>): void {
    this.#finishing.add(p);
    void p.finally(() => this.#finishing.delete(p));
  }

  #analysis(callId: string): CallAnalysis {
    let analysis = this.#calls.get(callId);
    if (analysis) return analysis;
    const pack: RulePack = loadRulePack(this.#packs.get(callId) ?? this.o.defaultPack);
    const compliance = new ComplianceSession(pack, callId, { logger: this.#logger });
    analysis = { compliance, transcript: [], events: [], hints: packHints(pack) };
    this.#calls.set(callId, analysis);
    compliance.on('checklist', (checklist) =>
      notifyStaff(this.o.calls.get(callId)?.room, { type: 'checklist', items: checklist.items }),
    );
    compliance.on('alert', (alert) => {
      notifyStaff(this.o.calls.get(callId)?.room, { type: 'complianceAlert', alert });
      this.o.onAlert?.(callId, alert);
    });
    return analysis;
  }
}
