// Commands for edges (request a full recording, legal hold, KEK rotation) and
// playback reads. Commands are durable: kept in Redis until the edge confirms,
// pushed at once when it is online and handed over again in its next
// `archive:hello` otherwise. Reads need the edge online (a 503 otherwise).
import { randomUUID } from 'node:crypto';
import type { Namespace } from 'socket.io';
import { z } from 'zod';
import { ArchiveCommand, type ArchiveRead } from '#protocol/archive';
import { AppError, ErrorBody } from '#protocol/errors';
import type { Logger } from '#common/logger';
import type { RedisClient } from '../redis/client.ts';
import { edgeRoom } from '../realtime/notifier.ts';
import type { ArchiveKeys } from './keys.ts';

type NewCommand = ArchiveCommand extends infer C ? (C extends ArchiveCommand ? Omit<C, 'id'> : never) : never;

const Reply = z.union([
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({ ok: z.literal(false) }).extend(ErrorBody.shape),
]);
const ReadData = z.object({
  data: z.custom<Uint8Array>((v) => v instanceof Uint8Array),
  total: z.number(),
  contentType: z.string(),
});

export class EdgeCommands {
  #edges?: Namespace;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: ArchiveKeys,
    private readonly readTimeoutMs: number,
    private readonly logger: Logger,
  ) {}

  /** The /edge namespace, once the app has it (absent in the CLI and seeding). */
  bind(edges: Namespace): void {
    this.#edges = edges;
  }

  async send(edgeId: string, cmd: NewCommand): Promise<ArchiveCommand> {
    const full = ArchiveCommand.parse({ ...cmd, id: randomUUID() });
    await this.redis.hSet(this.keys.commands(edgeId), full.id, JSON.stringify(full));
    void this.#push(edgeId, full);
    return full;
  }

  async pending(edgeId: string): Promise<ArchiveCommand[]> {
    return Object.values(await this.redis.hGetAll(this.keys.commands(edgeId))).map((v) =>
      ArchiveCommand.parse(JSON.parse(v)),
    );
  }

  async done(edgeId: string, id: string): Promise<void> {
    await this.redis.hDel(this.keys.commands(edgeId), id);
  }

  async read(
    edgeId: string,
    msg: ArchiveRead,
  ): Promise<{ data: Buffer; total: number; contentType: string }> {
    const reply = await this.#ask(edgeId, 'archive:read', msg, this.readTimeoutMs);
    if (!reply.ok) throw new AppError(reply.error.code, reply.error.message, reply.error.details);
    const d = ReadData.parse(reply.data);
    return { data: Buffer.from(d.data), total: d.total, contentType: d.contentType };
  }

  async #push(edgeId: string, cmd: ArchiveCommand): Promise<void> {
    try {
      const reply = await this.#ask(edgeId, 'archive:command', cmd, 15_000);
      if (reply.ok) await this.done(edgeId, cmd.id);
      else
        this.logger.warn(
          { edgeId, id: cmd.id, error: reply.error.message },
          'edge refused an archive command',
        );
    } catch (err) {
      this.logger.info(
        { edgeId, id: cmd.id, err: (err as Error).message },
        'archive command waits for the edge',
      );
    }
  }

  async #ask(
    edgeId: string,
    event: 'archive:read' | 'archive:command',
    msg: unknown,
    timeoutMs: number,
  ): Promise<z.infer<typeof Reply>> {
    if (!this.#edges) throw new AppError('unavailable', 'no edge link in this process');
    let replies: unknown[];
    try {
      replies = (await this.#edges
        .to(edgeRoom(edgeId))
        .timeout(timeoutMs)
        .emitWithAck(event, msg)) as unknown[];
    } catch (err) {
      throw new AppError(
        'unavailable',
        `edge ${edgeId} did not answer`,
        { reason: 'edge_timeout' },
        { cause: err },
      );
    }
    if (replies.length === 0)
      throw new AppError('unavailable', `edge ${edgeId} is not connected`, { reason: 'edge_offline' });
    const parsed = replies.map((r) => Reply.safeParse(r)).find((p) => p.success);
    if (!parsed?.success) throw new AppError('internal', `edge ${edgeId} sent a malformed answer`);
    return parsed.data;
  }
}
