// The `/client` namespace: staff (access JWT) and invited customers (customer
// token). Presence and dispatch for experts/managers, joining calls through the
// cloud with signaling relayed to the edge, and dashboard subscriptions.
import type { Namespace, Socket } from 'socket.io';
import type { z } from 'zod';
import {
  AuthRefresh,
  CallRef,
  CallSignal,
  DashboardSubscribe,
  PresenceSet,
  RequestRef,
  type DashboardSnapshot,
} from '#protocol/control';
import { DispatchRequestInput, type EdgeSummary } from '#protocol/api';
import type { RelayParticipant } from '#protocol/edge-link';
import { AppError } from '#protocol/errors';
import type { Logger } from '#common/logger';
import type { CustomerPrincipal, StaffPrincipal } from '../auth/tokens.ts';
import { asAppError, forbidden } from '../errors.ts';
import { edgeSummary } from '../http/edges.routes.ts';
import type { Services } from '../services.ts';
import { onRequest } from './handle.ts';
import { rooms } from './notifier.ts';

interface ClientSocketData {
  principal: StaffPrincipal | CustomerPrincipal;
  expiresAt: number;
  /** callId → this socket's participant in it. */
  calls: Map<string, RelayParticipant>;
}

function staffOnly(
  p: ClientSocketData['principal'],
  perm?: StaffPrincipal['permissions'][number],
): StaffPrincipal {
  if (p.kind !== 'staff') throw forbidden('wrong_role', 'staff only');
  if (perm && !p.permissions.includes(perm)) throw forbidden('wrong_role', `needs permission ${perm}`);
  return p;
}

export function registerClientNamespace(nsp: Namespace, s: Services, logger: Logger): void {
  nsp.use((socket, next) => {
    try {
      const principal = s.tokens.verify(socket.handshake.auth?.token as string | undefined, [
        'staff',
        'customer',
      ]);
      const data: ClientSocketData = { principal, expiresAt: principal.expiresAt, calls: new Map() };
      socket.data = data;
      next();
    } catch (err) {
      const e = asAppError(err);
      next(Object.assign(new Error(e.message), { data: e.toBody() }));
    }
  });

  nsp.on('connection', (socket: Socket) => {
    const data = socket.data as ClientSocketData;
    const p = data.principal;
    const log = logger.child({ socketId: socket.id, who: p.kind === 'staff' ? p.userId : p.participantId });
    // Handlers are registered synchronously below (events sent right after connect must not be lost);
    // each waits for this setup first.
    const ready = (async () => {
      if (p.kind !== 'staff') return;
      await socket.join(rooms.user(p.userId));
      // Managers on duty count for the ops presence view (no dispatch state).
      if (p.role === 'manager') await s.presence.connected(p.userId, 'manager');
      if (p.role !== 'expert') return;
      await socket.join(rooms.experts());
      await s.presence.connected(p.userId);
      // An offer made before a page reload is still this expert's to answer.
      const held = await s.dispatcher.heldOffer(p.userId);
      if (held) socket.emit('dispatch:offer', held);
      void s.dispatcher.kick().catch((err: unknown) => log.error({ err }, 'dispatch pass failed'));
    })().catch((err: unknown) => log.error({ err }, 'connection setup failed'));
    const on = <S extends Parameters<typeof onRequest>[2], T>(
      event: string,
      schema: S,
      fn: (msg: z.infer<S>) => Promise<T>,
    ) =>
      onRequest(socket, event, schema, log, async (msg: z.infer<S>) => {
        await ready;
        return fn(msg);
      });

    on('auth:refresh', AuthRefresh, async ({ token }) => {
      const next = s.tokens.verify(token, [p.kind]);
      const same =
        next.kind === 'staff' && p.kind === 'staff'
          ? next.userId === p.userId
          : next.kind === 'customer' && p.kind === 'customer' && next.participantId === p.participantId;
      if (!same) throw forbidden('wrong_principal', 'refresh token belongs to someone else');
      data.expiresAt = next.expiresAt;
      return { expiresAt: next.expiresAt };
    });

    // ---- presence & dispatch ----
    on('presence:set', PresenceSet, async ({ status }) =>
      s.dispatcher.setPresence(staffOnly(p, 'presence:set').userId, status),
    );
    on('dispatch:request', DispatchRequestInput, async (msg) =>
      s.dispatcher.request(staffOnly(p, 'dispatch:request'), msg),
    );
    on('dispatch:cancel', RequestRef, async ({ requestId }) =>
      s.dispatcher.cancel(staffOnly(p, 'dispatch:request'), requestId),
    );
    on('dispatch:accept', RequestRef, async ({ requestId }) =>
      s.dispatcher.accept(staffOnly(p, 'dispatch:accept').userId, requestId),
    );
    on('dispatch:decline', RequestRef, async ({ requestId }) => {
      await s.dispatcher.decline(staffOnly(p, 'dispatch:accept').userId, requestId);
      return null;
    });

    // ---- calls through the cloud ----
    on('call:join', CallRef, async ({ callId }) => {
      if (data.calls.has(callId))
        throw forbidden('already_joined', 'this connection already joined the call');
      const { info, participant } = await s.calls.join(p, callId);
      data.calls.set(callId, participant);
      await socket.join(rooms.participant(participant.id));
      if (p.kind === 'staff') await socket.join(rooms.call(callId));
      return info;
    });
    on('call:signal', CallSignal, async ({ callId, request }) => {
      const participant = data.calls.get(callId);
      if (!participant) throw forbidden('not_joined', 'join the call first');
      const ack = await s.calls.signal(callId, participant, request);
      if (ack.ok) return ack.data;
      // The edge's own error (code, message, details) goes back to the participant unchanged.
      throw new AppError(ack.error.code, ack.error.message, ack.error.details);
    });
    on('call:leave', CallRef, async ({ callId }) => {
      const participant = data.calls.get(callId);
      if (!participant) return null;
      data.calls.delete(callId);
      await socket.leave(rooms.participant(participant.id));
      await socket.leave(rooms.call(callId));
      await s.calls.leave(callId, participant.id, 'left');
      return null;
    });

    // ---- dashboards ----
    on('dashboard:subscribe', DashboardSubscribe, async (sub) => {
      const { room, snapshot } = await dashboard(s, p, sub.scope, sub.id);
      await socket.join(room);
      return snapshot;
    });
    on('dashboard:unsubscribe', DashboardSubscribe, async (sub) => {
      const room =
        sub.scope === 'ops'
          ? rooms.ops()
          : sub.scope === 'compliance'
            ? rooms.compliance()
            : sub.scope === 'branch'
              ? rooms.branch(sub.id ?? '')
              : rooms.call(sub.id ?? '');
      await socket.leave(room);
      return null;
    });

    socket.on('disconnect', async () => {
      try {
        await ready;
        for (const [callId, participant] of data.calls)
          await s.calls.leave(callId, participant.id, 'disconnected');
        data.calls.clear();
        const tracked =
          p.kind === 'staff' && (p.role === 'expert' || p.role === 'manager') ? p.role : undefined;
        if (p.kind === 'staff' && tracked && s.presence.disconnectedLocally(p.userId)) {
          const elsewhere = await nsp.in(rooms.user(p.userId)).fetchSockets();
          if (elsewhere.length === 0) await s.presence.gone(p.userId, tracked);
        }
      } catch (err) {
        log.error({ err }, 'cleanup after disconnect failed');
      }
    });
  });
}

async function dashboard(
  s: Services,
  p: StaffPrincipal | CustomerPrincipal,
  scope: 'branch' | 'call' | 'ops' | 'compliance',
  id: string | undefined,
): Promise<{ room: string; snapshot: DashboardSnapshot }> {
  const base = { scope, ...(id ? { id } : {}), calls: [], edges: [] as EdgeSummary[], queue: [], events: [] };
  switch (scope) {
    case 'call': {
      const call = await s.callStore.require(id ?? '');
      if (p.kind === 'customer')
        throw forbidden('wrong_role', 'customers get call updates through call:notify');
      if (p.role !== 'compliance' && p.role !== 'ops') await s.calls.authorize(p, call);
      return {
        room: rooms.call(call.id),
        snapshot: { ...base, calls: [call], events: await s.callStore.events(call.id) },
      };
    }
    case 'branch': {
      const sp = staffOnly(p, 'branch:read');
      const branchId = id ?? sp.branchId ?? '';
      if (sp.role === 'manager' && sp.branchId !== branchId)
        throw forbidden('wrong_branch', 'managers see their own branch');
      if (sp.role === 'expert') throw forbidden('wrong_role', 'experts have no branch dashboard');
      await s.branches.require(branchId);
      const calls = (await s.callStore.list({ branchId })).filter((c) => c.status === 'active');
      const edges = await Promise.all((await s.branches.edgeIds(branchId)).map((e) => edgeSummary(s, e)));
      return {
        room: rooms.branch(branchId),
        snapshot: { ...base, id: branchId, calls, edges, queue: await s.dispatcher.queue(branchId) },
      };
    }
    case 'ops': {
      staffOnly(p, 'edge:manage');
      const edges = await Promise.all((await s.edgeCredentials.list()).map((e) => edgeSummary(s, e.edgeId)));
      const calls = (await s.callStore.list({})).filter((c) => c.status === 'active');
      return { room: rooms.ops(), snapshot: { ...base, calls, edges, queue: await s.dispatcher.queue() } };
    }
    case 'compliance': {
      staffOnly(p, 'events:read');
      const calls = (await s.callStore.list({})).filter((c) => c.status === 'active');
      return { room: rooms.compliance(), snapshot: { ...base, calls } };
    }
  }
}
