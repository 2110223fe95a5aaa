// One speaker's live transcription: PCM on the speaker's timeline → Silero VAD
// per 32 ms frame → Segmenter → partial recognitions every ~1 s of speech and
// a final at the pause → TranscriptSegment events on the call clock. The
// audio held is the current utterance plus pre-roll: silence costs no memory.
//
// Speculative finals: the end of an utterance is only certain after a long
// pause (`minSilenceMs`), so at a short one (`speculateAfterMs`) the utterance
// so far is already sent for recognition. Confirmed, that result is the final
// (emitted once the pause is confirmed and the recognition done, never
// earlier: the speaker may go on); withdrawn when speech resumes.
import { EventEmitter } from 'node:events';
import type { Logger } from '#common/logger';
import type { TranscriptSegment } from '#protocol/events';
import type { CallRole } from '#protocol/roles';
import { SAMPLE_RATE, type RecognizedSegment } from '../engine.ts';
import {
  RecognitionDropped,
  type RecognitionScheduler,
  type Speculation,
} from '../scheduler/RecognitionScheduler.ts';
import { Segmenter, type SegmenterEvent, type SegmenterSettings } from '../vad/Segmenter.ts';
import { VAD_FRAME, type SileroVad, type VadStream } from '../vad/SileroVad.ts';
import { PcmWindow } from './PcmWindow.ts';

export interface SpeakerMeta {
  callId: string;
  role: CallRole;
  participantId: string;
}

export interface StreamTranscriberOptions {
  meta: SpeakerMeta;
  vad: SileroVad;
  scheduler: RecognitionScheduler;
  hints?: string[];
  /** Audio of speech between partial hypotheses. */
  partialIntervalMs?: number;
  segmenter?: Partial<SegmenterSettings>;
  logger: Logger;
}

export type StreamTranscriberEvents = {
  segment: [segment: TranscriptSegment];
  error: [err: Error];
};

interface Utterance {
  id: string;
  startSample: number;
  lastPartialAt: number;
  partialInFlight: boolean;
  partialsEmitted: number;
  ended: boolean;
  /** Recognition of [startSample, end) started at a likely end; only silence followed so far. */
  speculation: { end: number; job: Speculation } | undefined;
}

const ms = (samples: number) => (samples / SAMPLE_RATE) * 1000;

export class StreamTranscriber extends EventEmitter<StreamTranscriberEvents> {
  readonly meta: SpeakerMeta;
  readonly #opts: StreamTranscriberOptions;
  readonly #partialSamples: number;
  readonly #padSamples: number;
  readonly #window = new PcmWindow();
  readonly #frame = new Float32Array(VAD_FRAME);
  #frameFill = 0;
  #vadStream: VadStream;
  #segmenter: Segmenter;
  #segBase = 0; // absolute sample where the current segmenter's frame 0 starts
  #expected: number | undefined; // next absolute sample
  #originMs = 0;
  #utterance: Utterance | undefined;
  #count = 0;
  #chain: Promise<void> = Promise.resolve();
  readonly #pending = new Set<Promise<void>>();
  #finalOrder: Promise<void> = Promise.resolve();
  readonly #streamKey: string;
  #closed = false;

  constructor(opts: StreamTranscriberOptions) {
    super();
    this.#opts = opts;
    this.meta = opts.meta;
    this.#streamKey = `${opts.meta.callId}/${opts.meta.participantId}`;
    this.#partialSamples = Math.round(((opts.partialIntervalMs ?? 1000) / 1000) * SAMPLE_RATE);
    this.#segmenter = new Segmenter(opts.segmenter);
    this.#padSamples = Math.round((this.#segmenter.settings.padMs / 1000) * SAMPLE_RATE);
    this.#vadStream = opts.vad.createStream();
  }

  /** Samples held (current utterance + pre-roll): stays small through silence. */
  get heldSamples(): number {
    return this.#window.end - this.#window.start;
  }

  get inSpeech(): boolean {
    return this.#segmenter.inSpeech;
  }

  /**
   * Feeds PCM that starts at `startSample` on the speaker's timeline, whose
   * sample 0 is at `originMs` on the call clock. Processing is serialised.
   */
  push(samples: Float32Array, startSample: number, originMs: number): void {
    if (this.#closed) return;
    const copy = samples.slice();
    this.#chain = this.#chain
      .then(() => this.#process(copy, startSample, originMs))
      .catch((err: unknown) => {
        this.emit('error', err as Error);
      });
  }

  /** Resolves once everything pushed so far went through the VAD. */
  idle(): Promise<void> {
    return this.#chain;
  }

  async #process(samples: Float32Array, startSample: number, originMs: number): Promise<void> {
    this.#originMs = originMs;
    if (this.#expected === undefined) {
      this.#restart(startSample);
    } else if (startSample > this.#expected) {
      // Discontinuity (long mute): close what was open, start a fresh timeline there.
      this.#handle(this.#segmenter.flush());
      this.#restart(startSample);
    } else if (startSample < this.#expected) {
      samples = samples.subarray(Math.min(samples.length, this.#expected - startSample));
    }
    this.#window.append(samples);
    this.#expected = this.#window.end;
    let offset = 0;
    while (offset < samples.length) {
      const take = Math.min(VAD_FRAME - this.#frameFill, samples.length - offset);
      this.#frame.set(samples.subarray(offset, offset + take), this.#frameFill);
      this.#frameFill += take;
      offset += take;
      if (this.#frameFill === VAD_FRAME) {
        this.#frameFill = 0;
        const prob = await this.#vadStream.process(this.#frame);
        this.#handle(this.#segmenter.push(prob));
        this.#afterFrame();
      }
    }
  }

  #restart(at: number): void {
    this.#segmenter = new Segmenter(this.#opts.segmenter);
    this.#vadStream.reset();
    this.#segBase = at;
    this.#frameFill = 0;
    this.#window.reset(at);
  }

  #handle(events: SegmenterEvent[]): void {
    for (const e of events) {
      const start = this.#segBase + e.startSample;
      if (e.type === 'start') {
        this.#utterance = {
          id: `${this.meta.participantId}-${++this.#count}`,
          startSample: start,
          lastPartialAt: start,
          partialInFlight: false,
          partialsEmitted: 0,
          ended: false,
          speculation: undefined,
        };
      } else if (e.type === 'pause') {
        const u = this.#utterance;
        if (u && !u.speculation) this.#speculate(u, this.#segBase + e.endSample);
      } else if (e.type === 'resume') {
        const u = this.#utterance;
        if (u?.speculation) this.#withdraw(u.speculation.job);
        if (u) u.speculation = undefined;
      } else {
        const u = this.#utterance;
        if (!u) continue;
        u.ended = true;
        this.#utterance = undefined;
        this.#opts.scheduler.cancelPartial(this.#streamKey);
        const spec = u.speculation;
        u.speculation = undefined;
        const end = e.type === 'end' ? this.#segBase + e.endSample : undefined;
        // Valid only for the same audio: same start, and only silence between its end and this one.
        if (spec && end !== undefined && u.startSample === start && spec.end <= end) {
          spec.job.confirm();
          this.#final(u, start, end, spec.job.result);
          continue;
        }
        if (spec) this.#withdraw(spec.job);
        if (end !== undefined) this.#final(u, start, end);
        else if (u.partialsEmitted > 0) this.#emitSegment(u, start, start, [], true); // clear the partial on screens
      }
    }
  }

  #speculate(u: Utterance, end: number): void {
    // A waiting partial is now worth less than the final-to-be: make room.
    this.#opts.scheduler.cancelPartial(this.#streamKey);
    const job = this.#opts.scheduler.speculate({
      streamKey: this.#streamKey,
      pcm: this.#window.slice(u.startSample, end),
      options: this.#options(false),
    });
    u.speculation = { end, job };
    // Every speculation is either confirmed (#final reports its outcome) or withdrawn
    // (#withdraw does); this only keeps an early rejection from counting as unhandled.
    job.result.catch(() => undefined);
  }

  #withdraw(job: Speculation): void {
    job.cancel();
    job.result.catch((err: unknown) => {
      if (!(err instanceof RecognitionDropped)) this.emit('error', err as Error);
    });
  }

  #afterFrame(): void {
    const position = this.#segBase + this.#segmenter.position;
    const u = this.#utterance;
    // No partial during a pause: if it is the end, the final follows within ~0.4 s
    // (and needs the worker); if not, the overdue partial starts at the next speech frame.
    if (
      u &&
      !u.partialInFlight &&
      this.#segmenter.silenceMs === 0 &&
      position - u.lastPartialAt >= this.#partialSamples
    ) {
      u.lastPartialAt = position;
      u.partialInFlight = true;
      const pcm = this.#window.slice(u.startSample, position);
      this.#track(
        this.#opts.scheduler
          .submit({ streamKey: this.#streamKey, priority: 'partial', pcm, options: this.#options(true) })
          .then(
            (segs) => {
              u.partialInFlight = false;
              if (!u.ended) {
                u.partialsEmitted++;
                this.#emitSegment(u, u.startSample, position, segs, false);
              }
            },
            (err: unknown) => {
              u.partialInFlight = false;
              if (!(err instanceof RecognitionDropped)) this.emit('error', err as Error);
            },
          ),
      );
    }
    if (!this.#segmenter.inSpeech) {
      // Keep only the pre-roll the next utterance may need.
      this.#window.trimBefore(position - this.#padSamples - VAD_FRAME);
    } else if (u) {
      this.#window.trimBefore(u.startSample);
    }
  }

  #final(u: Utterance, start: number, end: number, speculative?: Promise<RecognizedSegment[]>): void {
    const result =
      speculative ??
      this.#opts.scheduler.submit({
        streamKey: this.#streamKey,
        priority: 'final',
        pcm: this.#window.slice(start, end),
        options: this.#options(false),
      });
    // Finals of one speaker come out in the order they were spoken, even when a
    // later, shorter utterance finishes first on another worker.
    this.#finalOrder = this.#finalOrder
      .then(() => result)
      .then(
        (segs) => {
          if (segs.length > 0 || u.partialsEmitted > 0) this.#emitSegment(u, start, end, segs, true);
        },
        (err: unknown) => {
          if (err instanceof RecognitionDropped)
            this.#opts.logger.warn({ utteranceId: u.id, reason: err.reason }, 'final recognition dropped');
          else this.emit('error', err as Error);
        },
      );
    this.#track(this.#finalOrder);
  }

  #options(partial: boolean) {
    return { partial, channel: this.#streamKey, ...(this.#opts.hints ? { hints: this.#opts.hints } : {}) };
  }

  #emitSegment(u: Utterance, start: number, end: number, segs: RecognizedSegment[], final: boolean): void {
    const text = segs
      .map((s) => s.text.trim())
      .filter((t) => t.length > 0)
      .join(' ');
    const confidence = segs.length > 0 ? segs.reduce((a, s) => a + s.confidence, 0) / segs.length : 0;
    this.emit('segment', {
      callId: this.meta.callId,
      role: this.meta.role,
      participantId: this.meta.participantId,
      startMs: Math.round(this.#originMs + ms(start)),
      endMs: Math.round(this.#originMs + ms(end)),
      text,
      final,
      confidence: Math.min(1, Math.max(0, confidence)),
      utteranceId: u.id,
      engine: this.#opts.scheduler.engine.name,
    });
  }

  #track(p: Promise<void>): void {
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  /** End of the stream: closes an open utterance and waits for its final. Safe to call twice. */
  async end(): Promise<void> {
    if (this.#closed) return;
    await this.#chain;
    this.#closed = true;
    this.#handle(this.#segmenter.flush());
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }
}
