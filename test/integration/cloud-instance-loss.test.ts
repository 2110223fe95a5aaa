// Losing a cloud instance: A (a separate process holding the edge's and the
// expert's sockets) is SIGKILLed — no graceful shutdown, no disconnect handlers.
// B notices on its own (missed heartbeats, expired presence), keeps serving,
// and the edge and the expert carry on through B once they reconnect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Call, CallEvent, DispatchStatus, EdgeSummary } from '#protocol/api';
import type { CallJoinInfo, DispatchOffer } from '#protocol/control';
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
let key: string;
const edges: ScriptedEdge[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  const prefix = uniquePrefix('loss');
  key = await seedBranchWithEdge(redisUrl, prefix, 'b1', 'e1');
  await withServices(redisUrl, prefix, async (s) => {
    await s.staff.create({
      username: 'mgr',
      password: 'manager-pass',
      displayName: 'M',
      role: 'manager',
      branchId: 'b1',
    });
    await s.staff.create({
      username: 'exp',
      password: 'expert-pass',
      displayName: 'E',
      role: 'expert',
      skills: ['loans'],
    });
  });
  const env = { PRESENCE_TTL_MS: '1500' };
  [a, b] = await Promise.all([
    startCloud({ redisUrl, prefix, mode: 'child', instanceId: 'A', env }),
    startCloud({ redisUrl, prefix, instanceId: 'B', env }),
  ]);
});

afterAll(async () => {
  for (const s of sockets) s.close();
  for (const e of edges) e.stop();
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('losing an instance', () => {
  it('the survivor marks the edge offline, stops offering to the vanished expert, and serves both once they reconnect', async () => {
    const edgeOnA = new ScriptedEdge({ cloudUrl: a.url, edgeId: 'e1', branchId: 'b1', key });
    edges.push(edgeOnA);
    await edgeOnA.start();
    const exp = await login(a.url, 'exp', 'expert-pass');
    const expertOnA = await connectClient(a.url, exp.accessToken);
    sockets.push(expertOnA);
    await call(expertOnA, 'presence:set', { status: 'available' });
    const mgr = await login(b.url, 'mgr', 'manager-pass');
    const started = await api<Call>(b.url, 'POST', '/api/v1/calls', { token: mgr.accessToken, body: {} });
    const callId = started.body.id;

    await a.kill();

    // B sees the edge go silent and flags the call.
    const edgeOnB = async () =>
      (await api<EdgeSummary>(b.url, 'GET', '/api/v1/edges/e1', { token: mgr.accessToken })).body;
    await waitFor(async () => !(await edgeOnB()).online, 10_000, 'edge offline according to B');
    const events = await api<CallEvent[]>(b.url, 'GET', `/api/v1/calls/${callId}/events`, {
      token: mgr.accessToken,
    });
    expect(events.body.map((e) => e.type)).toContain('call.edge-offline');

    // The expert's liveness lapses (nobody refreshes it): a request now waits, with no ETA, instead of going to a ghost.
    await waitFor(
      async () =>
        withServices(redisUrl, a.prefix, async (s) => (await s.presence.state('exp'))?.alive === false),
      10_000,
      'expert presence expired',
    );
    const managerSock = await connectClient(b.url, mgr.accessToken);
    sockets.push(managerSock);
    const st = await call<DispatchStatus>(managerSock, 'dispatch:request', { callId, skill: 'loans' });
    expect(st).toMatchObject({ status: 'queued', position: 1, etaS: null });

    // Edge and expert reconnect — to B, the instance that is left.
    const edgeB = new ScriptedEdge({ cloudUrl: b.url, edgeId: 'e1', branchId: 'b1', key });
    edges.push(edgeB);
    await edgeB.start();
    await waitFor(async () => (await edgeOnB()).online, 5000, 'edge back online via B');
    const expertOnB = await connectClient(b.url, exp.accessToken);
    sockets.push(expertOnB);
    const offers: DispatchOffer[] = [];
    expertOnB.on('dispatch:offer', (o: DispatchOffer) => offers.push(o));

    // Still `available` by choice: reconnecting is enough to be offered the waiting request.
    await waitFor(() => offers.length === 1, 5000, 'offer via B');
    expect(offers[0]?.requestId).toBe(st.requestId);
    await call(expertOnB, 'dispatch:accept', { requestId: st.requestId });
    const joined = await call<CallJoinInfo>(expertOnB, 'call:join', { callId });
    expect(joined).toMatchObject({ role: 'expert', join: { edgeId: 'e1' } });
    const final = await api<CallEvent[]>(b.url, 'GET', `/api/v1/calls/${callId}/events`, {
      token: mgr.accessToken,
    });
    expect(final.body.map((e) => e.type)).toContain('call.edge-online');
  });
});
