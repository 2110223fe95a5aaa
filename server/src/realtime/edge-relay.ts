// Cloud → edge requests that need an answer (relay:open, relay:request). The
// edge's socket may live on any instance: emitting to its room with an ack goes
// through the Redis adapter and the answer comes back the same way.
import { z } from 'zod';
import type { Namespace } from 'socket.io';
import { AppError, ErrorBody, type Ack } from '#protocol/errors';
import type { RelayOpen, RelayRequest } from '#protocol/edge-link';
import { edgeRoom } from './notifier.ts';

const EdgeAck = z.union([
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({ ok: z.literal(false) }).extend(ErrorBody.shape),
]);

export interface EdgeRelay {
  ask(edgeId: string, event: 'relay:open', msg: RelayOpen): Promise<Ack<unknown>>;
  ask(edgeId: string, event: 'relay:request', msg: RelayRequest): Promise<Ack<unknown>>;
}

export class SocketEdgeRelay implements EdgeRelay {
  constructor(
    private readonly edges: Namespace,
    private readonly timeoutMs: number,
  ) {}

  async ask(
    edgeId: string,
    event: 'relay:open' | 'relay:request',
    msg: RelayOpen | RelayRequest,
  ): Promise<Ack<unknown>> {
    let replies: unknown[];
    try {
      replies = (await this.edges
        .to(edgeRoom(edgeId))
        .timeout(this.timeoutMs)
        .emitWithAck(event, msg)) as unknown[];
    } catch (err) {
      throw new AppError(
        'unavailable',
        `edge ${edgeId} did not answer within ${this.timeoutMs} ms`,
        { reason: 'edge_timeout' },
        { cause: err },
      );
    }
    if (replies.length === 0)
      throw new AppError('unavailable', `edge ${edgeId} is not connected`, { reason: 'edge_offline' });
    const parsed = replies.map((r) => EdgeAck.safeParse(r));
    const good = parsed.find((p) => p.success && p.data.ok) ?? parsed.find((p) => p.success);
    if (!good?.success) throw new AppError('internal', `edge ${edgeId} sent a malformed answer`);
    return good.data as Ack<unknown>;
  }
}
