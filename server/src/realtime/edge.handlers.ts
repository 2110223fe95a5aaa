// The `/edge` namespace: edges dial out, authenticate with an edge JWT, say
// hello (and get their desired config), heartbeat, report applied configs,
// push call events, and relay notifications to remote participants.
import type { Namespace, Socket } from 'socket.io';
import {
  ConfigApplied,
  EdgeCallEvent,
  EdgeHeartbeat,
  EdgeHello,
  RelayNotify,
  type EdgeHelloAck,
} from '#protocol/edge-link';
import { validate } from '#protocol/errors';
import type { Logger } from '#common/logger';
import type { EdgePrincipal } from '../auth/tokens.ts';
import { asAppError, authError, forbidden } from '../errors.ts';
import { edgeSummary } from '../http/edges.routes.ts';
import type { Services } from '../services.ts';
import { onNotice, onRequest } from './handle.ts';
import { edgeRoom, rooms } from './notifier.ts';

interface EdgeSocketData {
  edge: EdgePrincipal;
  connId: string;
  expiresAt: number;
  helloDone: boolean;
}

export async function pushEdgeStatus(s: Services, edgeId: string): Promise<void> {
  const summary = await edgeSummary(s, edgeId);
  s.notifier.toClients([rooms.ops(), rooms.branch(summary.branchId)], 'edge:status', summary);
}

export function registerEdgeNamespace(nsp: Namespace, s: Services, logger: Logger): void {
  nsp.use(async (socket, next) => {
    try {
      const edge = s.tokens.verify(socket.handshake.auth?.token as string | undefined, ['edge']);
      const record = await s.edgeCredentials.get(edge.edgeId);
      if (!record) throw authError('unknown_edge', 'edge no longer registered');
      if (record.keyVersion !== edge.keyVersion)
        throw authError('key_rotated', 'edge key was rotated: authenticate again');
      const data: EdgeSocketData = {
        edge,
        connId: `${s.config.instanceId}/${socket.id}`,
        expiresAt: 0,
        helloDone: false,
      };
      socket.data = data;
      next();
    } catch (err) {
      const e = asAppError(err);
      next(Object.assign(new Error(e.message), { data: e.toBody() }));
    }
  });

  nsp.on('connection', (socket: Socket) => {
    const data = socket.data as EdgeSocketData;
    const { edgeId } = data.edge;
    const log = logger.child({ edgeId, socketId: socket.id });

    socket.on('edge:hello', async (raw: unknown, ack?: (res: EdgeHelloAck) => void) => {
      try {
        const hello = validate(EdgeHello, raw, 'edge:hello');
        if (hello.edgeId !== edgeId || hello.branchId !== data.edge.branchId) {
          throw forbidden(
            'wrong_edge',
            `token is for ${edgeId}@${data.edge.branchId}, hello says ${hello.edgeId}@${hello.branchId}`,
          );
        }
        // One live link per edge: older connections (on any instance) are dropped.
        for (const other of await nsp.in(edgeRoom(edgeId)).fetchSockets())
          if (other.id !== socket.id) other.disconnect(true);
        await socket.join(edgeRoom(edgeId));
        await s.edges.hello(hello, data.connId, s.config.instanceId);
        const desired = await s.rollout.desiredOrAdopt(edgeId, hello.running);
        if (hello.running.revision === desired.revision)
          await s.rollout.applied(edgeId, { revision: desired.revision, ok: true });
        data.helloDone = true;
        log.info(
          { version: hello.version, running: hello.running.revision, desired: desired.revision },
          'edge hello',
        );
        ack?.({
          ok: true,
          desired,
          heartbeatIntervalMs: s.config.edgeHeartbeatIntervalMs,
          callTokenPublicKey: s.callTokens.publicKeyPem,
        });
        await pushEdgeStatus(s, edgeId);
      } catch (err) {
        const e = asAppError(err);
        if (e.code === 'internal' || e.code === 'unavailable')
          log.error({ err: e.cause ?? err }, 'edge hello failed');
        ack?.({ ok: false, error: e.message });
      }
    });

    onNotice(socket, 'edge:heartbeat', EdgeHeartbeat, log, async (hb) => {
      if (!data.helloDone) return void log.warn('heartbeat before hello ignored');
      if (!(await s.edges.heartbeat(edgeId, data.connId, hb)))
        return void log.debug('heartbeat from superseded connection ignored');
      await pushEdgeStatus(s, edgeId);
    });

    onNotice(socket, 'edge:config-applied', ConfigApplied, log, async (msg) => {
      const { deployment, running } = await s.rollout.applied(edgeId, msg);
      if (running) await s.edges.setRunning(edgeId, running);
      log.info({ revision: msg.revision, ok: msg.ok, error: msg.error }, 'edge applied config');
      if (deployment) s.notifier.toClients([rooms.ops()], 'deployment:update', deployment);
      await pushEdgeStatus(s, edgeId);
    });

    onNotice(socket, 'relay:notify', RelayNotify, log, async (msg) => {
      const call = await s.callStore.get(msg.callId);
      if (call?.edgeId !== edgeId)
        throw forbidden('wrong_edge', `call ${msg.callId} is not hosted by ${edgeId}`);
      s.notifier.toClients([rooms.participant(msg.participantId)], 'call:notify', {
        callId: msg.callId,
        notification: msg.notification,
      });
    });

    onRequest(socket, 'call:event', EdgeCallEvent, log, async (ev) => {
      await s.calls.fromEdge(edgeId, ev);
      return null;
    });

    socket.on('disconnect', (reason) => {
      log.info({ reason }, 'edge disconnected');
      s.edges
        .disconnected(edgeId, data.connId)
        .catch((err: unknown) => log.error({ err }, 'marking edge offline failed'));
    });
  });
}
