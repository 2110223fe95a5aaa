// Periodically crypto-shreds calls whose retention has ended and that are not
// on legal hold. Only sealed calls are considered; every shred is written to
// the manifest, the edge's audit log and (through the outbox) the cloud's.
import type { Logger } from '#common/logger';
import type { CallArchive } from '../CallArchive.ts';
import { isExpired, retainUntil, type RetentionRules } from './RetentionPolicy.ts';

export interface SweepResult {
  shredded: string[];
  held: string[];
  kept: number;
}

export class RetentionSweeper {
  #timer?: NodeJS.Timeout;
  #running?: Promise<SweepResult>;

  constructor(
    private readonly archive: CallArchive,
    private readonly rules: RetentionRules,
    private readonly logger: Logger,
  ) {}

  start(intervalMs: number): void {
    this.#timer = setInterval(
      () => void this.sweep().catch((err: unknown) => this.logger.error({ err }, 'retention sweep failed')),
      intervalMs,
    );
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** One pass; `now` can be moved forward (tests, a dry run of future expiries). */
  sweep(now = Date.now()): Promise<SweepResult> {
    this.#running ??= this.#sweep(now).finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #sweep(now: number): Promise<SweepResult> {
    const result: SweepResult = { shredded: [], held: [], kept: 0 };
    for (const callId of this.archive.store.callIds()) {
      const meta = this.archive.store.get(callId)?.meta;
      if (!meta || meta.status !== 'sealed' || meta.shreddedAt) continue;
      const subject = {
        endedAt: meta.sealedAt ?? meta.startedAt,
        product: meta.product,
        productEndsAt: meta.productEndsAt,
      };
      if (!isExpired(this.rules, subject, now, false)) {
        result.kept++;
        continue;
      }
      if (meta.hold) {
        result.held.push(callId);
        continue;
      }
      await this.archive.shred(
        callId,
        `retention ended ${new Date(retainUntil(this.rules, subject)).toISOString()}`,
      );
      result.shredded.push(callId);
    }
    if (result.shredded.length || result.held.length)
      this.logger.info(
        { shredded: result.shredded.length, held: result.held.length, kept: result.kept },
        'retention sweep',
      );
    return result;
  }
}
