// The senders' clocks, from the RTCP Sender Reports their producers receive
// (mediasoup producer trace `sr`): for each producer the latest mapping of its
// RTP timestamps to the sender's wall clock, which places a recorded track on
// the timeline in step with the same sender's other tracks (timeline.ts).
import type { types } from 'mediasoup';
import type { Logger } from '#common/logger';
import { ntpToEpochMs } from './timeline.ts';

export interface SenderReport {
  ssrc: number;
  ntpMs: number;
  rtpTs: number;
  /** Edge wall clock when it arrived. */
  arrivalMs: number;
}

export class SenderClocks {
  readonly #latest = new Map<string, SenderReport>();
  readonly #waiters = new Map<string, Set<(sr: SenderReport) => void>>();
  readonly #watched = new WeakSet<types.Producer>();

  constructor(private readonly logger: Logger) {}

  /** Starts listening to a producer's SRs (idempotent). Note: sets the producer's trace types to `sr`. */
  async watch(producer: types.Producer): Promise<void> {
    if (this.#watched.has(producer) || producer.closed) return;
    this.#watched.add(producer);
    producer.on('trace', (trace) => {
      if (trace.type !== 'sr') return;
      const info = trace.info as { ssrc?: number; ntpSec?: number; ntpFrac?: number; rtpTs?: number };
      if (info.ntpSec === undefined || info.ntpFrac === undefined || info.rtpTs === undefined) return;
      const sr: SenderReport = {
        ssrc: info.ssrc ?? 0,
        ntpMs: ntpToEpochMs(Number(info.ntpSec), Number(info.ntpFrac)),
        rtpTs: Number(info.rtpTs),
        arrivalMs: Date.now(),
      };
      this.#latest.set(producer.id, sr);
      for (const resolve of this.#waiters.get(producer.id) ?? []) resolve(sr);
      this.#waiters.delete(producer.id);
    });
    producer.observer.once('close', () => {
      this.#latest.delete(producer.id);
      this.#waiters.delete(producer.id);
    });
    await producer
      .enableTraceEvent(['sr'])
      .catch((err: unknown) =>
        this.logger.warn({ err, producerId: producer.id }, 'cannot watch sender reports'),
      );
  }

  latest(producerId: string): SenderReport | undefined {
    return this.#latest.get(producerId);
  }

  /** The latest SR, or the next one to arrive within `timeoutMs`. */
  async get(producerId: string, timeoutMs: number): Promise<SenderReport | undefined> {
    const known = this.#latest.get(producerId);
    if (known) return known;
    return new Promise((resolve) => {
      const set = this.#waiters.get(producerId) ?? new Set();
      const timer = setTimeout(() => {
        set.delete(done);
        resolve(undefined);
      }, timeoutMs);
      const done = (sr: SenderReport) => {
        clearTimeout(timer);
        resolve(sr);
      };
      set.add(done);
      this.#waiters.set(producerId, set);
    });
  }
}
