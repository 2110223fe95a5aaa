// Two cloud instances on different ports sharing one Redis: an expert on
// instance A and a manager on instance B complete a dispatch, join the same
// call (signaling relayed to the edge, which is connected to A), and call
// events raised on either side reach both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Call, CallEvent, DispatchStatus } from '#protocol/api';
import type {
  CallJoinInfo,
  CallNotify,
  DispatchAssignment,
  DispatchOffer,
  ExpertPresence,
} from '#protocol/control';
import type { Socket } from 'socket.io-client';
import {
  api,
  call,
  connectClient,
  login,
  ScriptedEdge,
  seedBranchWithEdge,
  startCloud,
  uniquePrefix,
  waitFor,
  withServices,
  type CloudHandle,
} from '../helpers/cloud.ts';

const redisUrl = inject('redisUrl');
let a: CloudHandle;
let b: CloudHandle;
let edge: ScriptedEdge;
const sockets: Socket[] = [];

function collect<T>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (x: T) => seen.push(x));
  return seen;
}

beforeAll(async () => {
  const prefix = uniquePrefix('multi');
  const key = await seedBranchWithEdge(redisUrl, prefix, 'b1', 'e1');
  await withServices(redisUrl, prefix, async (s) => {
    await s.staff.create({
      username: 'mgr',
      password: 'manager-pass',
      displayName: 'Mia',
      role: 'manager',
      branchId: 'b1',
    });
    await s.staff.create({
      username: 'exp',
      password: 'expert-pass',
      displayName: 'Eli',
      role: 'expert',
      skills: ['wealth'],
      languages: ['en'],
    });
    await s.staff.create({
      username: 'comp',
      password: 'compliance-pass',
      displayName: 'Cora',
      role: 'compliance',
    });
  });
  // A is a child process, B lives in this process: two real instances on different ports.
  [a, b] = await Promise.all([
    startCloud({ redisUrl, prefix, mode: 'child', instanceId: 'A' }),
    startCloud({ redisUrl, prefix, instanceId: 'B' }),
  ]);
  expect(a.port).not.toBe(b.port);
  edge = new ScriptedEdge({ cloudUrl: a.url, edgeId: 'e1', branchId: 'b1', key });
  await edge.start();
});

afterAll(async () => {
  for (const s of sockets) s.close();
  edge?.stop();
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('two instances', () => {
  it('expert on A and manager on B complete a dispatch, join the same call, and both see events', async () => {
    const [mgr, exp, comp] = await Promise.all([
      login(b.url, 'mgr', 'manager-pass'),
      login(a.url, 'exp', 'expert-pass'),
      login(b.url, 'comp', 'compliance-pass'),
    ]);
    const expertSock = await connectClient(a.url, exp.accessToken);
    const managerSock = await connectClient(b.url, mgr.accessToken);
    const complianceSock = await connectClient(b.url, comp.accessToken);
    sockets.push(expertSock, managerSock, complianceSock);
    const offers = collect<DispatchOffer>(expertSock, 'dispatch:offer');
    const updates = collect<DispatchStatus>(managerSock, 'dispatch:update');
    const managerEvents = collect<CallEvent>(managerSock, 'call:event');
    const expertEvents = collect<CallEvent>(expertSock, 'call:event');
    const complianceEvents = collect<CallEvent>(complianceSock, 'call:event');
    const managerNotes = collect<CallNotify>(managerSock, 'call:notify');
    const expertNotes = collect<CallNotify>(expertSock, 'call:notify');
    await call(complianceSock, 'dashboard:subscribe', { scope: 'compliance' });

    const presence = await call<ExpertPresence>(expertSock, 'presence:set', { status: 'available' });
    expect(presence.status).toBe('available');

    // Manager (B) starts a call; it lands on the branch's edge, which is connected to A.
    const started = await api<Call>(b.url, 'POST', '/api/v1/calls', {
      token: mgr.accessToken,
      body: { topic: 'wealth product' },
    });
    expect(started.status).toBe(201);
    const callId = started.body.id;
    await waitFor(() => edge.assigned.includes(callId), 5000, 'edge told of the call');
    const mgrJoin = await call<CallJoinInfo>(managerSock, 'call:join', { callId });
    expect(mgrJoin.role).toBe('manager');
    expect(mgrJoin.join).toMatchObject({ edgeId: 'e1' });

    // Dispatch: requested on B, offered to the expert on A, accepted on A.
    const status = await call<DispatchStatus>(managerSock, 'dispatch:request', {
      callId,
      skill: 'wealth',
      urgency: 'high',
    });
    expect(['queued', 'offered']).toContain(status.status);
    await waitFor(() => offers.length > 0, 5000, 'offer reaches expert on A');
    expect(offers[0]).toMatchObject({
      requestId: status.requestId,
      callId,
      skill: 'wealth',
      urgency: 'high',
    });
    const assignment = await call<DispatchAssignment>(expertSock, 'dispatch:accept', {
      requestId: status.requestId,
    });
    expect(assignment).toMatchObject({ callId, branchId: 'b1' });
    await waitFor(
      () => updates.some((u) => u.requestId === status.requestId && u.status === 'assigned'),
      5000,
      'manager on B told of assignment',
    );
    expect(updates.find((u) => u.status === 'assigned')).toMatchObject({
      expertId: 'exp',
      expertName: 'Eli',
    });

    // Expert joins the same call through A; signaling is relayed to the edge and answered.
    const expJoin = await call<CallJoinInfo>(expertSock, 'call:join', { callId });
    expect(expJoin).toMatchObject({
      callId,
      role: 'expert',
      edge: { edgeId: 'e1', publicUrl: 'https://e1.example:4443' },
    });
    const echoed = await call<{ echo: unknown; participantId: string }>(expertSock, 'call:signal', {
      callId,
      request: { method: 'getRouterRtpCapabilities' },
    });
    expect(echoed).toEqual({
      echo: { method: 'getRouterRtpCapabilities' },
      participantId: expJoin.participantId,
      edgeId: 'e1',
    });
    // Manager on B signals too: B → Redis → A → edge → A → Redis → B.
    const echoedB = await call<{ participantId: string }>(managerSock, 'call:signal', {
      callId,
      request: { method: 'ping' },
    });
    expect(echoedB.participantId).toBe(mgrJoin.participantId);
    // The edge's refusal comes back as the edge said it.
    const refused = await managerSock
      .timeout(5000)
      .emitWithAck('call:signal', { callId, request: { method: 'fail' } });
    expect(refused).toEqual({ ok: false, error: { code: 'bad_request', message: 'edge says no' } });
    expect(edge.opened.map((o) => o.participant.role).sort()).toEqual(['expert', 'manager']);

    // Edge → participant notifications reach each participant on its own instance.
    edge.notify(callId, expJoin.participantId, { method: 'newConsumer', id: 'c1' });
    edge.notify(callId, mgrJoin.participantId, { method: 'newConsumer', id: 'c2' });
    await waitFor(
      () => expertNotes.length === 1 && managerNotes.length === 1,
      5000,
      'notifications delivered',
    );
    expect(expertNotes[0]).toEqual({ callId, notification: { method: 'newConsumer', id: 'c1' } });
    expect(managerNotes[0]).toEqual({ callId, notification: { method: 'newConsumer', id: 'c2' } });

    // An alert raised by the edge (via A) reaches the manager (B), the expert (A) and compliance (B).
    const ack = await edge.callEvent(callId, 'alert.raised', {
      checkId: 'risk-disclosure',
      severity: 'major',
    });
    expect(ack).toEqual({ ok: true, data: null });
    const hasAlert = (evs: CallEvent[]) => evs.some((e) => e.type === 'alert.raised' && e.callId === callId);
    await waitFor(
      () => hasAlert(managerEvents) && hasAlert(expertEvents) && hasAlert(complianceEvents),
      5000,
      'alert on both instances',
    );
    // The expert's join (recorded on A) reached the manager on B.
    expect(managerEvents.some((e) => e.type === 'participant.joined' && e.data.role === 'expert')).toBe(true);

    // Expert leaves: the manager sees it, the edge closes the relay session, the expert is free again.
    await call(expertSock, 'call:leave', { callId });
    await waitFor(
      () =>
        managerEvents.some(
          (e) => e.type === 'participant.left' && e.data.participantId === expJoin.participantId,
        ),
      5000,
      'left event',
    );
    expect(edge.closed.map((c) => c.participantId)).toContain(expJoin.participantId);

    // The whole story is in the call's Redis stream, in order.
    const log = await api<CallEvent[]>(a.url, 'GET', `/api/v1/calls/${callId}/events`, {
      token: mgr.accessToken,
    });
    const types = log.body.map((e) => e.type);
    expect(types).toEqual([
      'call.started',
      'participant.joined',
      'dispatch.requested',
      'dispatch.assigned',
      'participant.joined',
      'alert.raised',
      'participant.left',
    ]);
  });
});
