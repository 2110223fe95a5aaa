// The edge's live transcription: one resident engine and VAD session, one
// shared RecognitionScheduler, and per attached speaker an RtpAudioStream →
// StreamTranscriber. The SFU side calls `attach()` with each audio track; every
// TranscriptSegment comes out of the `segment` event (room, compliance, stored
// transcript subscribe there). No dependency on SFU code: a source is anything
// that emits `rtp` Buffers and `close`.
import { EventEmitter } from 'node:events';
import type { Logger } from '#common/logger';
import type { TranscriptSegment } from '#protocol/events';
import { createSpeechEngine, type SpeechEngineOptions } from './createSpeechEngine.ts';
import type { SpeechEngine } from './engine.ts';
import { defaultLogger } from './log.ts';
import {
  RecognitionScheduler,
  type CapacityReport,
  type SchedulerSettings,
} from './scheduler/RecognitionScheduler.ts';
import { RtpAudioStream, type RtpAudioStats } from './stream/RtpAudioStream.ts';
import { StreamTranscriber, type SpeakerMeta } from './stream/StreamTranscriber.ts';
import type { SegmenterSettings } from './vad/Segmenter.ts';
import { SileroVad } from './vad/SileroVad.ts';

/** What the SFU's audio tap looks like from here (mediasoup DirectTransport consumer, a UDP socket adapter…). */
export interface RtpSource {
  on(event: 'rtp', listener: (packet: Buffer) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  off?(event: 'rtp', listener: (packet: Buffer) => void): unknown;
  off?(event: 'close', listener: () => void): unknown;
}

export interface AttachOptions extends SpeakerMeta {
  /** Wall-clock ms (epoch) of the call's time 0: segment times are ms from it. */
  callStartMs: number;
  /** Negotiated Opus payload type and clock rate (default: first PT seen, 48 kHz). */
  payloadType?: number;
  clockRate?: number;
  /** Per-call domain hints (the call's rule pack); default: the service's. */
  hints?: string[];
}

export interface SpeakerHandle {
  readonly meta: SpeakerMeta;
  stats(): RtpAudioStats & { heldSamples: number };
  /** Stops listening, closes the open utterance and waits for its final. */
  detach(): Promise<void>;
}

export interface TranscriptionServiceOptions {
  /** An engine already loaded, or how to load one. */
  engine: SpeechEngine | SpeechEngineOptions;
  hints?: string[];
  partialIntervalMs?: number;
  segmenter?: Partial<SegmenterSettings>;
  scheduler?: Partial<SchedulerSettings>;
  jitterMs?: number;
  idleMs?: number;
  logger?: Logger;
}

export interface TranscriptionStatus {
  engine: string;
  synthetic: boolean;
  speakers: number;
  capacity: CapacityReport;
}

export type TranscriptionServiceEvents = {
  segment: [segment: TranscriptSegment];
  capacity: [report: CapacityReport];
  error: [err: Error, meta?: SpeakerMeta];
};

export class TranscriptionService extends EventEmitter<TranscriptionServiceEvents> {
  readonly engine: SpeechEngine;
  readonly scheduler: RecognitionScheduler;
  readonly #vad: SileroVad;
  readonly #opts: TranscriptionServiceOptions;
  readonly #logger: Logger;
  readonly #speakers = new Set<SpeakerHandle>();
  readonly #timer: NodeJS.Timeout;
  #closed = false;

  private constructor(
    engine: SpeechEngine,
    vad: SileroVad,
    opts: TranscriptionServiceOptions,
    logger: Logger,
  ) {
    super();
    this.engine = engine;
    this.#vad = vad;
    this.#opts = opts;
    this.#logger = logger;
    this.scheduler = new RecognitionScheduler(engine, logger, opts.scheduler);
    this.scheduler.on('capacity', (r) => this.emit('capacity', r));
    // A stuck queue raises nothing by itself: look at it every half second.
    this.#timer = setInterval(() => this.scheduler.tick(), 500);
    this.#timer.unref();
  }

  /** Loads the engine (unless given) and the VAD; throws `unavailable` naming what is missing. */
  static async create(opts: TranscriptionServiceOptions): Promise<TranscriptionService> {
    const logger = opts.logger ?? defaultLogger();
    const vad = await SileroVad.load();
    const engine =
      'recognize' in opts.engine ? opts.engine : await createSpeechEngine({ ...opts.engine, logger });
    logger.info({ engine: engine.name, concurrency: engine.concurrency ?? 1 }, 'transcription ready');
    return new TranscriptionService(engine, vad, opts, logger);
  }

  status(): TranscriptionStatus {
    return {
      engine: this.engine.name,
      synthetic: this.engine.synthetic === true,
      speakers: this.#speakers.size,
      capacity: this.scheduler.report(),
    };
  }

  /** Starts transcribing one speaker's RTP. Detaches by itself when the source emits `close`. */
  async attach(opts: AttachOptions, source: RtpSource): Promise<SpeakerHandle> {
    const meta: SpeakerMeta = { callId: opts.callId, role: opts.role, participantId: opts.participantId };
    const logger = this.#logger.child({
      callId: meta.callId,
      participantId: meta.participantId,
      role: meta.role,
    });
    const stream = await RtpAudioStream.create({
      callStartMs: opts.callStartMs,
      ...(opts.payloadType !== undefined ? { payloadType: opts.payloadType } : {}),
      ...(opts.clockRate !== undefined ? { clockRate: opts.clockRate } : {}),
      ...(this.#opts.jitterMs !== undefined ? { jitterMs: this.#opts.jitterMs } : {}),
      ...(this.#opts.idleMs !== undefined ? { idleMs: this.#opts.idleMs } : {}),
      logger,
    });
    const hints = opts.hints ?? this.#opts.hints;
    const transcriber = new StreamTranscriber({
      meta,
      vad: this.#vad,
      scheduler: this.scheduler,
      ...(hints ? { hints } : {}),
      ...(this.#opts.partialIntervalMs !== undefined
        ? { partialIntervalMs: this.#opts.partialIntervalMs }
        : {}),
      ...(this.#opts.segmenter ? { segmenter: this.#opts.segmenter } : {}),
      logger,
    });
    stream.on('pcm', (samples, start) => transcriber.push(samples, start, stream.originMs ?? 0));
    stream.on('error', (err) => this.#fail(err, meta));
    transcriber.on('segment', (s) => this.emit('segment', s));
    transcriber.on('error', (err) => this.#fail(err, meta));

    const onRtp = (packet: Buffer) => stream.push(packet);
    let detaching: Promise<void> | undefined;
    const handle: SpeakerHandle = {
      meta,
      stats: () => ({ ...stream.stats, heldSamples: transcriber.heldSamples }),
      detach: () => {
        detaching ??= (async () => {
          source.off?.('rtp', onRtp);
          source.off?.('close', onClose);
          stream.close();
          await transcriber.end();
          this.#speakers.delete(handle);
          logger.info(stream.stats, 'speaker detached');
        })();
        return detaching;
      },
    };
    const onClose = () => {
      void handle.detach().catch((err: unknown) => this.#fail(err as Error, meta));
    };
    source.on('rtp', onRtp);
    source.on('close', onClose);
    this.#speakers.add(handle);
    logger.info('speaker attached');
    return handle;
  }

  /** A failure in one speaker's pipeline is logged and reported; it never takes the edge down. */
  #fail(err: Error, meta: SpeakerMeta): void {
    this.#logger.error({ err, ...meta }, 'transcription error');
    if (this.listenerCount('error') > 0) this.emit('error', err, meta);
  }

  /** Detaches every speaker (their finals included), then releases the engine and VAD. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await Promise.all([...this.#speakers].map((s) => s.detach()));
    this.scheduler.close();
    await this.engine.close();
    await this.#vad.close();
  }
}
