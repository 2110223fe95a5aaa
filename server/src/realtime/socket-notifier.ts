// The Notifier over socket.io rooms; the Redis adapter carries each emit to
// the instance(s) holding the target sockets.
import type { Namespace } from 'socket.io';
import type { Logger } from '#common/logger';
import { edgeRoom, type ClientEvent, type ClientPayload, type Notifier } from './notifier.ts';

export class SocketNotifier implements Notifier {
  constructor(
    private readonly clients: Namespace,
    private readonly edges: Namespace,
    private readonly logger: Logger,
  ) {}

  toClients<E extends ClientEvent>(roomNames: string[], event: E, payload: ClientPayload<E>): void {
    (this.clients.to(roomNames) as unknown as { emit(e: string, p: unknown): void }).emit(event, payload);
  }

  toEdge(edgeId: string, notice: Parameters<Notifier['toEdge']>[1]): void {
    (this.edges.to(edgeRoom(edgeId)) as unknown as { emit(e: string, p: unknown): void }).emit(
      notice.event,
      notice.msg,
    );
  }

  disconnectEdge(edgeId: string): void {
    this.edges.in(edgeRoom(edgeId)).disconnectSockets(true);
    this.logger.info({ edgeId }, 'edge connections dropped');
  }
}
