// The archive's events on the `/edge` namespace: `archive:hello` (the seal key
// and any commands that waited), `archive:deliver` (one outbox part, acked
// after it is stored) and `archive:command-done`. The edge is the one the
// socket's edge JWT names; it can only write to its own calls.
import type { Namespace, Socket } from 'socket.io';
import { z } from 'zod';
import type { Logger } from '#common/logger';
import { ArchiveHello, OutboxDelivery } from '#protocol/archive';
import type { EdgePrincipal } from '../auth/tokens.ts';
import { forbidden } from '../errors.ts';
import { onNotice, onRequest } from '../realtime/handle.ts';
import type { ArchiveService } from './archive-service.ts';

const CommandDone = z.object({ id: z.string(), ok: z.boolean(), detail: z.string().optional() });

export function registerArchiveEdgeHandlers(nsp: Namespace, archive: ArchiveService, logger: Logger): void {
  archive.commands.bind(nsp);
  nsp.on('connection', (socket: Socket) => {
    const edge = (socket.data as { edge: EdgePrincipal }).edge;
    const log = logger.child({ edgeId: edge.edgeId, module: 'archive-link' });
    onRequest(socket, 'archive:hello', ArchiveHello, log, async (msg) => {
      if (msg.edgeId !== edge.edgeId) throw forbidden('wrong_edge', `token is for ${edge.edgeId}`);
      return archive.hello(edge.edgeId);
    });
    onRequest(socket, 'archive:deliver', OutboxDelivery, log, async (d) => {
      const result = await archive.deliver({ edgeId: edge.edgeId, branchId: edge.branchId }, d);
      if (result.complete && !result.duplicate)
        log.debug({ id: d.id, kind: d.kind }, 'archive item received');
      return result;
    });
    onNotice(socket, 'archive:command-done', CommandDone, log, async (msg) => {
      await archive.commands.done(edge.edgeId, msg.id);
      if (!msg.ok)
        log.warn({ id: msg.id, detail: msg.detail }, 'edge could not carry out an archive command');
    });
  });
}
