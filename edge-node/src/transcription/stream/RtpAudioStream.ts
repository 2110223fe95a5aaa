// One speaker's RTP (Opus) → contiguous 16 kHz PCM on that speaker's timeline,
// anchored to the call clock: parse → jitter buffer (reorder, loss) → decode,
// PLC for lost packets, silence for DTX gaps, and — once no packet came for
// `idleMs` (800 ms) — silence at the pace of the wall clock (up to `maxFillMs`), so a
// stream that stops mid-word still ends its utterance.
// A gap longer than `maxFillMs` is not filled: the timeline jumps and the
// `pcm` event's startSample says so (an hour of mute costs nothing).
import { EventEmitter } from 'node:events';
import type { Logger } from '#common/logger';
import { SAMPLE_RATE } from '../engine.ts';
import { JitterBuffer, type JitterOutput } from './JitterBuffer.ts';
import { OpusPcmDecoder } from './OpusPcmDecoder.ts';
import { parseRtp, SequenceUnwrapper, TimestampUnwrapper } from './rtp.ts';

const TICK_MS = 50;

export interface RtpAudioStreamOptions {
  /** Wall-clock ms (epoch) of the call's time 0. */
  callStartMs: number;
  /** Only this payload type is decoded (the negotiated Opus PT); others are ignored. Default: the first seen. */
  payloadType?: number;
  clockRate?: number;
  jitterMs?: number;
  idleMs?: number;
  maxFillMs?: number;
  /** Longest loss concealed with PLC; the rest of a longer loss is silence. */
  maxPlcMs?: number;
  now?: () => number;
  logger: Logger;
}

export type RtpAudioStreamEvents = {
  /** `startSample` counts from the stream's origin; a jump means a discontinuity. */
  pcm: [samples: Float32Array, startSample: number];
  error: [err: Error];
};

export interface RtpAudioStats {
  packets: number;
  ignored: number;
  lost: number;
  late: number;
  duplicates: number;
  reordered: number;
  concealedMs: number;
  decodeErrors: number;
}

export class RtpAudioStream extends EventEmitter<RtpAudioStreamEvents> {
  readonly #opts: Required<Omit<RtpAudioStreamOptions, 'payloadType' | 'logger'>> & { payloadType?: number };
  readonly #logger: Logger;
  readonly #decoder: OpusPcmDecoder;
  readonly #jitter: JitterBuffer;
  readonly #seq = new SequenceUnwrapper();
  readonly #ts = new TimestampUnwrapper();
  readonly #ratio: number; // RTP ticks per output sample
  #ts0: number | undefined; // RTP time of the first packet played
  #firstArrival: number | undefined;
  /** Call-clock ms of sample 0 of this stream; set by the first packet. */
  originMs: number | undefined;
  #written = 0; // samples emitted so far (position on the timeline)
  #pendingLoss = false;
  #lastPacketAt = 0;
  #idleFlushed = false;
  #writtenAtLastPacket = 0;
  #timer: NodeJS.Timeout | undefined;
  #lastTick: number | undefined;
  #ignored = 0;
  #concealed = 0;
  #closed = false;

  private constructor(opts: RtpAudioStreamOptions, decoder: OpusPcmDecoder) {
    super();
    this.#opts = {
      clockRate: 48_000,
      jitterMs: 60,
      idleMs: 800,
      maxFillMs: 3_000,
      maxPlcMs: 120,
      now: Date.now,
      ...opts,
    };
    this.#logger = opts.logger;
    this.#decoder = decoder;
    this.#jitter = new JitterBuffer(this.#opts.jitterMs);
    this.#ratio = this.#opts.clockRate / SAMPLE_RATE;
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    this.#timer.unref();
  }

  static async create(opts: RtpAudioStreamOptions): Promise<RtpAudioStream> {
    return new RtpAudioStream(opts, await OpusPcmDecoder.create());
  }

  get position(): number {
    return this.#written;
  }

  get stats(): RtpAudioStats {
    const j = this.#jitter.stats;
    return {
      packets: j.received,
      ignored: this.#ignored,
      lost: j.lost,
      late: j.late,
      duplicates: j.duplicates,
      reordered: j.reordered,
      concealedMs: Math.round((this.#concealed / SAMPLE_RATE) * 1000),
      decodeErrors: this.#decoder.errors,
    };
  }

  /** One RTP packet as received (mediasoup DirectTransport `rtp` event, a UDP datagram). */
  push(buf: Uint8Array): void {
    if (this.#closed) return;
    const pkt = parseRtp(buf);
    if (!pkt) {
      this.#ignored++;
      return;
    }
    this.#opts.payloadType ??= pkt.payloadType;
    if (pkt.payloadType !== this.#opts.payloadType) {
      this.#ignored++;
      return;
    }
    const now = this.#opts.now();
    this.#lastPacketAt = now;
    this.#idleFlushed = false;
    const ts = this.#ts.unwrap(pkt.timestamp);
    this.#firstArrival ??= now;
    this.#play(
      this.#jitter.push({ seq: this.#seq.unwrap(pkt.sequenceNumber), ts, payload: pkt.payload }, now),
    );
    this.#writtenAtLastPacket = this.#written;
  }

  #tick(): void {
    const now = this.#opts.now();
    // A late tick means this process was starved: packets may be waiting in the
    // socket. Judging loss or silence now would throw real audio away.
    const lag = this.#lastTick === undefined ? 0 : now - this.#lastTick - TICK_MS;
    this.#lastTick = now;
    if (lag > 2 * TICK_MS) return;
    this.#play(this.#jitter.poll(now));
    if (this.#firstArrival === undefined) return;
    const quietMs = now - this.#lastPacketAt;
    if (quietMs < this.#opts.idleMs || quietMs > this.#opts.maxFillMs) return;
    // The sender went quiet (stopped, muted, DTX): play what is held, then let
    // silence through as time passes so the segmenter can end the utterance.
    if (!this.#idleFlushed) {
      this.#idleFlushed = true;
      this.#play(this.#jitter.flush());
    }
    const target =
      this.#writtenAtLastPacket + Math.round(((quietMs - this.#opts.jitterMs) / 1000) * SAMPLE_RATE);
    if (target > this.#written) this.#emit(new Float32Array(target - this.#written));
  }

  #play(outputs: JitterOutput[]): void {
    for (const o of outputs) {
      if (o.type === 'lost') {
        this.#pendingLoss = true;
        continue;
      }
      if (this.#ts0 === undefined) {
        this.#ts0 = o.packet.ts;
        this.originMs = Math.max(0, this.#firstArrival! - this.#opts.callStartMs);
      }
      try {
        const at = Math.round((o.packet.ts - this.#ts0!) / this.#ratio);
        const pcm = this.#decoder.decode(o.packet.payload);
        const gap = at - this.#written;
        if (gap > 0) this.#fillGap(gap);
        // Audio that overlaps what was already played (after an idle fill) is trimmed.
        const overlap = this.#written - at;
        if (overlap >= pcm.length) continue;
        this.#emit(overlap > 0 ? pcm.subarray(overlap) : pcm);
      } catch (err) {
        this.emit('error', err as Error);
      }
    }
  }

  #fillGap(gap: number): void {
    const maxFill = Math.round((this.#opts.maxFillMs / 1000) * SAMPLE_RATE);
    if (gap > maxFill) {
      this.#logger.debug({ gapMs: Math.round((gap / SAMPLE_RATE) * 1000) }, 'audio gap: timeline jumps');
      this.#written += gap; // discontinuity, seen by consumers through startSample
      this.#pendingLoss = false;
      return;
    }
    if (this.#pendingLoss) {
      this.#pendingLoss = false;
      const plc = Math.min(gap, Math.round((this.#opts.maxPlcMs / 1000) * SAMPLE_RATE));
      const concealed = this.#decoder.conceal(plc);
      this.#concealed += plc;
      this.#emit(concealed);
      if (gap > plc) this.#emit(new Float32Array(gap - plc));
    } else {
      this.#emit(new Float32Array(gap)); // DTX: the sender sent nothing because there was nothing
    }
  }

  #emit(samples: Float32Array): void {
    if (samples.length === 0) return;
    const start = this.#written;
    this.#written += samples.length;
    this.emit('pcm', samples, start);
  }

  /** Plays what is held and stops. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#play(this.#jitter.flush());
    this.#closed = true;
    clearInterval(this.#timer);
    this.#decoder.free();
    this.removeAllListeners('pcm');
  }
}
