// The archive's side of the edge ↔ cloud link: delivers outbox items
// (`archive:deliver`, acknowledged), says `archive:hello` when the link comes
// up (the cloud answers with the key to seal data keys to and the commands that
// waited for us), and serves the cloud's commands (`archive:command`) and
// playback reads (`archive:read`). Without a cloud the outbox simply keeps
// everything until one is configured.
import type { Logger } from '#common/logger';
import {
  ArchiveCommand,
  ArchiveRead,
  type ArchiveCommandAck,
  type ArchiveHelloAck,
  type ArchiveReadAck,
  type OutboxAck,
  type OutboxDelivery,
} from '#protocol/archive';
import { toErrorBody, validate, type Ack } from '#protocol/errors';
import type { CloudLink } from '../cloud-link/CloudLink.ts';
import type { CallArchive } from './CallArchive.ts';
import { sealDataKey } from '#common/archive/seal';
import { NotReadyError, OutboxSender, type DeliveryTransport } from './outbox/OutboxSender.ts';

const DELIVER_TIMEOUT_MS = 20_000;

export class CloudArchiveLink implements DeliveryTransport {
  #sealKey?: string;
  #ready = false;
  readonly sender: OutboxSender;
  readonly #log: Logger;
  readonly #done = new Set<string>();

  constructor(
    private readonly link: CloudLink,
    private readonly archive: CallArchive,
    logger: Logger,
  ) {
    this.#log = logger.child({ module: 'archive-link' });
    this.sender = new OutboxSender({
      outbox: archive.outbox,
      transport: this,
      dynamic: async (row) => {
        if (row.kind !== 'datakey') throw new Error(`no dynamic payload for ${row.kind}`);
        if (!this.#sealKey) throw new NotReadyError('the cloud has not sent its seal key yet');
        const sealed = sealDataKey(await archive.keys.get(row.callId), this.#sealKey, row.callId);
        return Buffer.from(JSON.stringify(sealed));
      },
      retry: archive.config.outboxRetry,
      logger: this.#log,
    });
  }

  get online(): boolean {
    return this.#ready && this.link.state === 'online';
  }

  deliver(msg: OutboxDelivery): Promise<OutboxAck> {
    const socket = this.link.socket;
    if (!socket || !this.online) return Promise.reject(new Error('cloud link disconnected'));
    return socket.timeout(DELIVER_TIMEOUT_MS).emitWithAck('archive:deliver', msg) as Promise<OutboxAck>;
  }

  attach(): void {
    const socket = this.link.socket;
    if (!socket) throw new Error('cloud link not started');
    this.link.on('online', () => void this.#hello());
    this.link.on('offline', () => {
      this.#ready = false;
    });
    this.archive.on('queued', () => this.sender.kick());
    socket.on('archive:command', (raw: unknown, ack: (res: ArchiveCommandAck) => void) => {
      void this.#command(raw).then(ack, (err: unknown) => ack({ ok: false, ...toErrorBody(err) }));
    });
    socket.on('archive:read', (raw: unknown, ack: (res: ArchiveReadAck) => void) => {
      void (async () => {
        const msg = validate(ArchiveRead, raw, 'archive:read');
        return this.archive.read(msg.callId, msg.file, msg.offset, msg.length, msg.actor);
      })().then(
        (data) => ack({ ok: true, data }),
        (err: unknown) => {
          this.#log.warn({ err: (err as Error).message }, 'archive read refused');
          ack({ ok: false, ...toErrorBody(err) });
        },
      );
    });
  }

  close(): void {
    this.sender.close();
  }

  async #hello(): Promise<void> {
    const socket = this.link.socket;
    if (!socket) return;
    try {
      const res = (await socket
        .timeout(10_000)
        .emitWithAck('archive:hello', { edgeId: this.archive.config.edgeId })) as Ack<ArchiveHelloAck>;
      if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
      this.#sealKey = res.data.sealPublicKey;
      this.#ready = true;
      for (const cmd of res.data.commands) {
        const result = await this.#command(cmd).catch((err: unknown) => ({
          ok: false as const,
          ...toErrorBody(err),
        }));
        socket.emit('archive:command-done', {
          id: cmd.id,
          ok: result.ok,
          ...(result.ok ? {} : { detail: result.error.message }),
        });
      }
      this.#log.info(
        { pending: this.archive.outbox.counts().pending },
        'archive link ready; draining the outbox',
      );
      this.sender.online();
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'archive hello failed; retrying on the next reconnect');
    }
  }

  async #command(raw: unknown): Promise<ArchiveCommandAck> {
    const cmd = validate(ArchiveCommand, raw, 'archive:command');
    if (this.#done.has(cmd.id)) return { ok: true, data: { done: true, detail: 'already done' } };
    let detail: string | undefined;
    switch (cmd.type) {
      case 'request-full':
        detail = `${await this.archive.requestFull(cmd.callId, cmd.requestedBy)} files queued`;
        break;
      case 'hold':
        await this.archive.hold(cmd.callId, cmd.by, cmd.reason);
        break;
      case 'release':
        await this.archive.release(cmd.callId, cmd.by, cmd.reason);
        break;
      case 'rotate-kek': {
        const r = await this.archive.rotateKek(cmd.by);
        detail = `kek ${r.kekId}: ${r.rewrapped} data keys re-wrapped`;
        break;
      }
    }
    this.#done.add(cmd.id);
    this.#log.info({ id: cmd.id, type: cmd.type }, 'archive command done');
    return { ok: true, data: { done: true, ...(detail ? { detail } : {}) } };
  }
}
