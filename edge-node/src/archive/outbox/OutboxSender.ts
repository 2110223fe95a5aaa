// Drains the outbox to the cloud while the link is up: oldest item first, each
// in parts of ≤ 256 KiB, a part counted as sent only when the cloud has
// acknowledged it. A refused or unanswered delivery is retried with exponential
// back-off (with jitter); a dropped link stops the run, and coming back online
// makes everything due at once — an outage of any length costs nothing but time.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { Logger } from '#common/logger';
import { OUTBOX_PART_BYTES, type OutboxAck, type OutboxDelivery } from '#protocol/archive';
import type { Outbox, OutboxRow } from './Outbox.ts';

export interface DeliveryTransport {
  readonly online: boolean;
  /** Resolves with the cloud's answer; rejects when the link failed (timeout, disconnect). */
  deliver(msg: OutboxDelivery): Promise<OutboxAck>;
}

/** Builds an item's bytes at delivery time (e.g. a data key sealed to the cloud's current key). */
export type DynamicPayload = (row: OutboxRow) => Promise<Buffer>;

export class NotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotReadyError';
  }
}

export interface OutboxSenderOptions {
  outbox: Outbox;
  transport: DeliveryTransport;
  dynamic: DynamicPayload;
  retry: { baseMs: number; maxMs: number };
  logger: Logger;
}

export class OutboxSender {
  #running?: Promise<void>;
  #again = false;
  #timer?: NodeJS.Timeout;
  #closed = false;

  constructor(private readonly o: OutboxSenderOptions) {}

  /** Something was queued or the link came up: deliver soon. */
  kick(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#run().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.kick();
      } else this.#schedule();
    });
  }

  /** The link came back after an outage. */
  online(): void {
    this.o.outbox.retryAllNow();
    this.kick();
  }

  /** Resolves when the current run (if any) ended. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    if (this.#closed || !this.o.transport.online) return;
    const next = this.o.outbox.nextDueAt();
    if (next === undefined) return;
    this.#timer = setTimeout(() => this.kick(), Math.max(10, next - Date.now())).unref();
  }

  async #run(): Promise<void> {
    const { outbox, transport } = this.o;
    for (;;) {
      if (this.#closed || !transport.online) return;
      const batch = outbox.due();
      if (batch.length === 0) return;
      for (const row of batch) {
        if (this.#closed || !transport.online) return;
        const outcome = await this.#deliver(row);
        if (outcome === 'link-down') return;
      }
    }
  }

  async #deliver(row: OutboxRow): Promise<'ok' | 'retry' | 'link-down'> {
    const { outbox, transport, logger } = this.o;
    try {
      let payload: { bytes?: Buffer; sha256: string; size: number; parts: number };
      if (row.dynamic) {
        const bytes = await this.o.dynamic(row);
        payload = {
          bytes,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          size: bytes.length,
          parts: 1,
        };
      } else
        payload = {
          sha256: row.sha256,
          size: row.size,
          parts: row.parts,
          ...(row.body ? { bytes: row.body } : {}),
        };
      for (let part = row.dynamic ? 0 : row.partsDone; part < payload.parts; part++) {
        const data = payload.bytes
          ? payload.bytes.subarray(part * OUTBOX_PART_BYTES, (part + 1) * OUTBOX_PART_BYTES)
          : await readPart(row.file!, part);
        const ack = await transport.deliver({
          id: row.id,
          kind: row.kind,
          callId: row.callId,
          part,
          parts: payload.parts,
          sha256: payload.sha256,
          size: payload.size,
          meta: row.meta,
          data,
        });
        if (!ack.ok) {
          this.#backoff(row, `${ack.error.code}: ${ack.error.message}`);
          logger.warn(
            { id: row.id, kind: row.kind, code: ack.error.code, error: ack.error.message },
            'cloud refused an outbox item; retrying with back-off',
          );
          return 'retry';
        }
        if (ack.data.complete) break;
        if (!row.dynamic) outbox.partDelivered(row.id, part + 1);
      }
      outbox.delivered(row.id);
      logger.debug({ id: row.id, kind: row.kind }, 'outbox item delivered');
      return 'ok';
    } catch (err) {
      const message = (err as Error).message;
      if (err instanceof NotReadyError) {
        this.#backoff(row, message);
        return 'retry';
      }
      const code = (err as { code?: string }).code;
      if (code === 'ENOENT' || code === 'not_found') {
        // Its file or its data key no longer exists: the call was crypto-shredded meanwhile.
        outbox.drop(row.id, 'source gone (crypto-shredded)');
        logger.warn({ id: row.id, kind: row.kind }, 'outbox item dropped: its data no longer exists');
        return 'ok';
      }
      this.#backoff(row, message);
      if (!transport.online || /timed out|timeout|disconnect/i.test(message)) {
        logger.info({ id: row.id, error: message }, 'outbox delivery interrupted; will resume');
        return 'link-down';
      }
      logger.warn({ id: row.id, err }, 'outbox delivery failed; retrying with back-off');
      return 'retry';
    }
  }

  #backoff(row: OutboxRow, error: string): void {
    const { baseMs, maxMs } = this.o.retry;
    const delay = Math.min(maxMs, baseMs * 2 ** Math.min(row.attempts, 20));
    this.o.outbox.failed(row.id, error, Date.now() + delay * (0.5 + Math.random() / 2));
  }
}

async function readPart(file: string, part: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(OUTBOX_PART_BYTES);
    const { bytesRead } = await fh.read(buf, 0, OUTBOX_PART_BYTES, part * OUTBOX_PART_BYTES);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
