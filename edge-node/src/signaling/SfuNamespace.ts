// The edge's signaling endpoint for in-branch devices: socket.io namespace
// `/sfu`. A participant connects with a join token, is placed in the call's
// room, and from then on every `sfu:request` is validated and answered with an
// Ack; room notifications go out as `sfu:notify`.
import type { Namespace, Server, Socket } from 'socket.io';
import type { Logger } from '#common/logger';
import { AppError, toErrorBody, type Ack } from '#protocol/errors';
import { SFU_NAMESPACE, SFU_NOTIFY_EVENT, SFU_REQUEST_EVENT, type JoinClaims } from '#protocol/signaling';
import { handleRequest, type Peer, type Room } from '#sfu/index';
import type { CallRegistry } from '../calls/CallRegistry.ts';
import type { JoinTokenVerifier } from '../auth/JoinTokenVerifier.ts';

interface SocketData {
  claims: JoinClaims;
}

/** How long a connection that could not be placed waits for a request to answer with the reason. */
const REFUSED_GRACE_MS = 1000;

export function attachSfuNamespace(
  io: Server,
  deps: { calls: CallRegistry; verifier: JoinTokenVerifier; logger: Logger },
): Namespace {
  const { calls, verifier } = deps;
  const logger = deps.logger.child({ module: 'sfu-signaling' });
  const nsp = io.of(SFU_NAMESPACE);

  nsp.use((socket, next) => {
    try {
      (socket.data as SocketData).claims = verifier.verify(socket.handshake.auth?.token);
      next();
    } catch (err) {
      const body = toErrorBody(err);
      logger.info(
        { code: body.error.code, reason: body.error.message, address: socket.handshake.address },
        'connection refused',
      );
      next(Object.assign(new Error(body.error.message), { data: body }));
    }
  });

  nsp.on('connection', (socket: Socket) => {
    void onConnection(socket).catch((err) => {
      const body = toErrorBody(err);
      logger.warn({ err, code: body.error.code }, 'could not place participant in room');
      socket.emit(SFU_NOTIFY_EVENT, { type: 'callEnded', reason: body.error.message });
      socket.disconnect(true);
    });
  });

  async function onConnection(socket: Socket): Promise<void> {
    const { claims } = socket.data as SocketData;
    // Requests that arrive while the room is being prepared wait for it rather than fail.
    // If the participant cannot be placed (capacity), requests are answered with the typed
    // reason, and only then is the call ended for this connection: a disconnection alone
    // would reach the client first and say nothing.
    let ready: (v: { room: Room; peer: Peer }) => void;
    let refuse: (err: unknown) => void;
    const placed = new Promise<{ room: Room; peer: Peer }>((resolve, reject) => {
      ready = resolve;
      refuse = reject;
    });
    placed.catch(() => undefined); // each waiting request answers with the refusal
    let endRefused: (() => void) | undefined;
    socket.on(SFU_REQUEST_EVENT, async (request: unknown, ack: unknown) => {
      if (typeof ack !== 'function') {
        logger.debug({ peerId: claims.sub }, 'request without acknowledgement callback ignored');
        return;
      }
      const reply = ack as (res: Ack<unknown>) => void;
      try {
        const { room, peer } = await placed;
        if (peer.closed) throw new AppError('conflict', 'this session was closed; reconnect');
        reply({ ok: true, data: await handleRequest(room, peer, request) });
      } catch (err) {
        reply({ ok: false, ...toErrorBody(err) });
        if (endRefused) setImmediate(endRefused);
      }
    });
    let room: Room;
    let peer: Peer;
    try {
      room = await calls.room(claims.callId);
      peer = await room.addPeer(
        { peerId: claims.sub, role: claims.role, displayName: claims.name ?? claims.role },
        {
          notify: (n) => socket.emit(SFU_NOTIFY_EVENT, n),
          disconnect: (reason) => {
            socket.emit(SFU_NOTIFY_EVENT, { type: 'callEnded', reason });
            socket.disconnect(true);
          },
        },
      );
    } catch (err) {
      const body = toErrorBody(err);
      logger.warn({ err, code: body.error.code }, 'could not place participant in room');
      endRefused = () => {
        if (socket.disconnected) return;
        socket.emit(SFU_NOTIFY_EVENT, { type: 'callEnded', reason: body.error.message });
        socket.disconnect(true);
      };
      refuse!(err);
      setTimeout(endRefused, REFUSED_GRACE_MS).unref(); // a client that sends nothing
      return;
    }
    socket.on('disconnect', (reason) => {
      logger.info({ peerId: peer.id, reason }, 'participant disconnected');
      room.removePeer(peer);
    });
    if (socket.disconnected) room.removePeer(peer); // left while the room was being prepared
    ready!({ room, peer });
    logger.info({ peerId: peer.id, role: claims.role, callId: claims.callId }, 'participant connected');
  }

  return nsp;
}
