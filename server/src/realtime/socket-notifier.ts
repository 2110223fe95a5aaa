// The Notifier over socket.io rooms; the Redis adapter carries each emit to
// the instance(s) holding the target sockets. Once the instance stops, emits
// are dropped: a handler still in flight must not publish through an adapter
// whose Redis client is closing (the adapter's publish rejects unhandled).
import type { Namespace } from 'socket.io';
import type { Logger } from '#common/logger';
import { edgeRoom, type ClientEvent, type ClientPayload, type Notifier } from './notifier.ts';

export class SocketNotifier implements Notifier {
  #stopped = false;

  constructor(
    private readonly clients: Namespace,
    private readonly edges: Namespace,
    private readonly logger: Logger,
  ) {}

  /** Called by the cloud's shutdown right before Redis closes. */
  stop(): void {
    this.#stopped = true;
  }

  toClients<E extends ClientEvent>(roomNames: string[], event: E, payload: ClientPayload<E>): void {
    if (this.#dropped(event)) return;
    (this.clients.to(roomNames) as unknown as { emit(e: string, p: unknown): void }).emit(event, payload);
  }

  toEdge(edgeId: string, notice: Parameters<Notifier['toEdge']>[1]): void {
    if (this.#dropped(notice.event)) return;
    (this.edges.to(edgeRoom(edgeId)) as unknown as { emit(e: string, p: unknown): void }).emit(
      notice.event,
      notice.msg,
    );
  }

  #dropped(event: string): boolean {
    if (this.#stopped) this.logger.debug({ event }, 'cloud stopping: notification dropped');
    return this.#stopped;
  }

  disconnectEdge(edgeId: string): void {
    this.edges.in(edgeRoom(edgeId)).disconnectSockets(true);
    this.logger.info({ edgeId }, 'edge connections dropped');
  }
}
