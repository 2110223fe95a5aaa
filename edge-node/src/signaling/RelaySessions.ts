// Remote participants (experts, remote customers) reach the branch's rooms
// through the cloud: the cloud opens a relay session per participant and
// forwards each signaling request over the edge link; notifications go back
// as `relay:notify`. Requests are handled by the same code as local sockets.
import type { Logger } from '#common/logger';
import { AppError, toErrorBody, validate, type Ack } from '#protocol/errors';
import { RelayClose, RelayOpen, RelayRequest } from '#protocol/edge-link';
import { handleRequest, type Peer, type Room } from '#sfu/index';
import type { CallRegistry } from '../calls/CallRegistry.ts';
import type { CloudLink } from '../cloud-link/CloudLink.ts';

interface Session {
  room: Room;
  peer: Peer;
}

export class RelaySessions {
  readonly #sessions = new Map<string, Session>();
  readonly #logger: Logger;

  constructor(
    private readonly calls: CallRegistry,
    private readonly link: CloudLink,
    logger: Logger,
  ) {
    this.#logger = logger.child({ module: 'relay' });
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** Registers the relay events on the link's socket (it survives reconnections). */
  attach(): void {
    const socket = this.link.socket;
    if (!socket) throw new Error('cloud link not started');
    socket.on('relay:open', (msg, ack) => void this.#answer(ack, () => this.open(msg)));
    socket.on('relay:request', (msg, ack) => void this.#answer(ack, () => this.request(msg)));
    socket.on('relay:close', (msg) => {
      try {
        this.close(msg);
      } catch (err) {
        this.#logger.warn({ err }, 'bad relay:close');
      }
    });
  }

  async open(raw: unknown): Promise<{ peerId: string }> {
    const { callId, participant } = validate(RelayOpen, raw, 'relay:open');
    const room = await this.calls.room(callId);
    const key = `${callId}/${participant.id}`;
    const peer = await room.addPeer(
      { peerId: participant.id, role: participant.role, displayName: participant.displayName, remote: true },
      {
        notify: (notification) =>
          void this.link.send('relay:notify', { callId, participantId: participant.id, notification }),
        disconnect: (reason) => {
          this.link.send('relay:notify', {
            callId,
            participantId: participant.id,
            notification: { type: 'callEnded', reason },
          });
          if (this.#sessions.get(key)?.peer === peer) this.#sessions.delete(key);
        },
      },
    );
    this.#sessions.set(key, { room, peer });
    room.once('close', () => {
      if (this.#sessions.get(key)?.peer === peer) this.#sessions.delete(key);
    });
    this.#logger.info(
      { callId, participantId: participant.id, role: participant.role },
      'remote participant opened',
    );
    return { peerId: peer.id };
  }

  async request(raw: unknown): Promise<unknown> {
    const { callId, participant, request } = validate(RelayRequest, raw, 'relay:request');
    const session = this.#sessions.get(`${callId}/${participant.id}`);
    if (!session || session.peer.closed)
      throw new AppError('conflict', 'no relay session for this participant; join again');
    return handleRequest(session.room, session.peer, request);
  }

  close(raw: unknown): void {
    const { callId, participantId, reason } = validate(RelayClose, raw, 'relay:close');
    const key = `${callId}/${participantId}`;
    const session = this.#sessions.get(key);
    if (!session) return;
    this.#sessions.delete(key);
    session.room.removePeer(session.peer);
    this.#logger.info({ callId, participantId, reason }, 'remote participant closed');
  }

  async #answer(ack: unknown, work: () => Promise<unknown>): Promise<void> {
    if (typeof ack !== 'function') return;
    const reply = ack as (res: Ack<unknown>) => void;
    try {
      reply({ ok: true, data: await work() });
    } catch (err) {
      const body = toErrorBody(err);
      if (body.error.code === 'internal') this.#logger.error({ err }, 'relay request failed');
      reply({ ok: false, ...body });
    }
  }
}
