// Edge lifecycle against a real cloud: register, heartbeat, go offline (killed,
// and separately silent), come back; a config rollout reaches it (also one made
// while it was offline), it reports the new version, and rollback restores it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Call, CallDetail, CallEvent, Deployment, EdgeSummary, LoginResponse } from '#protocol/api';
import {
  api,
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
let cloud: CloudHandle;
let key: string;
let ops: LoginResponse;
let manager: LoginResponse;
const edges: ScriptedEdge[] = [];

const newEdge = () => {
  const e = new ScriptedEdge({ cloudUrl: cloud.url, edgeId: 'e1', branchId: 'b1', key, busyness: 0.4 });
  edges.push(e);
  return e;
};
const summary = async () =>
  (await api<EdgeSummary>(cloud.url, 'GET', '/api/v1/edges/e1', { token: ops.accessToken })).body;
const deployment = async (id: string) =>
  (await api<Deployment>(cloud.url, 'GET', `/api/v1/deployments/${id}`, { token: ops.accessToken })).body;

beforeAll(async () => {
  const prefix = uniquePrefix('edge');
  key = await seedBranchWithEdge(redisUrl, prefix, 'b1', 'e1');
  await withServices(redisUrl, prefix, async (s) => {
    await s.staff.create({ username: 'ops', password: 'ops-pass-123', displayName: 'O', role: 'ops' });
    await s.staff.create({
      username: 'mgr',
      password: 'manager-pass',
      displayName: 'M',
      role: 'manager',
      branchId: 'b1',
    });
  });
  cloud = await startCloud({ redisUrl, prefix });
  ops = await login(cloud.url, 'ops', 'ops-pass-123');
  manager = await login(cloud.url, 'mgr', 'manager-pass');
});

afterAll(async () => {
  for (const e of edges) e.stop();
  await cloud?.stop();
});

describe('edge lifecycle', () => {
  let callId: string;

  it('registers with hello, gets its desired config, and heartbeats update load and busyness', async () => {
    expect((await summary()).online).toBe(false);
    const edge = newEdge();
    const ack = await edge.start();
    expect(ack.ok).toBe(true);
    expect(ack.heartbeatIntervalMs).toBe(200);
    // First contact: the cloud adopts what the edge runs.
    expect(ack.desired).toEqual(edge.running);
    await waitFor(async () => (await summary()).busyness?.score === 0.4, 5000, 'heartbeat stored');
    const s = await summary();
    expect(s).toMatchObject({
      online: true,
      version: '0.1.0-test',
      publicUrl: 'https://e1.example:4443',
      capacity: { maxCalls: 100 },
    });
    const first = s.lastHeartbeatAt ?? 0;
    await waitFor(async () => ((await summary()).lastHeartbeatAt ?? 0) > first, 5000, 'next heartbeat');
    const call = await api<Call>(cloud.url, 'POST', '/api/v1/calls', {
      token: manager.accessToken,
      body: {},
    });
    expect(call.status).toBe(201);
    expect(call.body).toMatchObject({ edgeId: 'e1', edgeOnline: true });
    callId = call.body.id;
  });

  it('a killed edge is marked offline and its calls are flagged; new calls are refused', async () => {
    edges[0]!.stop();
    await waitFor(async () => !(await summary()).online, 5000, 'edge offline');
    const call = (
      await api<CallDetail>(cloud.url, 'GET', `/api/v1/calls/${callId}`, { token: manager.accessToken })
    ).body;
    expect(call.edgeOnline).toBe(false);
    const events = (
      await api<CallEvent[]>(cloud.url, 'GET', `/api/v1/calls/${callId}/events`, {
        token: manager.accessToken,
      })
    ).body;
    expect(events.map((e) => e.type)).toContain('call.edge-offline');
    const refused = await api<{ error: { code: string } }>(cloud.url, 'POST', '/api/v1/calls', {
      token: manager.accessToken,
      body: {},
    });
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('unavailable');
  });

  let offlineDeploymentId: string;
  it('a rollout made while the edge is offline stays pending', async () => {
    const res = await api<Deployment>(cloud.url, 'POST', '/api/v1/deployments', {
      token: ops.accessToken,
      body: {
        edgeIds: ['e1'],
        change: { rulePacks: { 'wealth-sale': '1.1.0' }, settings: { vadThreshold: 0.6 } },
        note: 'new pack',
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.targets).toEqual([
      expect.objectContaining({ edgeId: 'e1', fromRevision: 0, toRevision: 1, status: 'pending' }),
    ]);
    expect(res.body.status).toBe('in-progress');
    offlineDeploymentId = res.body.id;
  });

  it('the edge comes back, receives the new config in its hello, applies it and reports it', async () => {
    const edge = newEdge();
    const ack = await edge.start();
    expect(ack.desired).toMatchObject({
      revision: 1,
      rulePacks: { 'wealth-sale': '1.1.0' },
      settings: { vadThreshold: 0.6 },
    });
    await waitFor(
      async () => (await deployment(offlineDeploymentId)).status === 'completed',
      5000,
      'deployment completed',
    );
    const s = await summary();
    expect(s.online).toBe(true);
    expect(s.running).toEqual(s.desired);
    expect(s.running?.rulePacks['wealth-sale']).toBe('1.1.0');
    const events = (
      await api<CallEvent[]>(cloud.url, 'GET', `/api/v1/calls/${callId}/events`, {
        token: manager.accessToken,
      })
    ).body;
    expect(events.map((e) => e.type)).toContain('call.edge-online');
  });

  it('a rollout to an online edge is pushed live; rollback restores the previous config', async () => {
    const edge = edges[1]!;
    const before = (await summary()).running!;
    const res = await api<Deployment>(cloud.url, 'POST', '/api/v1/deployments', {
      token: ops.accessToken,
      body: { edgeIds: ['e1'], change: { models: { asr: 'small' }, rulePacks: { 'wealth-sale': '2.0.0' } } },
    });
    expect(res.status).toBe(201);
    await waitFor(
      async () => (await deployment(res.body.id)).status === 'completed',
      5000,
      'live rollout applied',
    );
    expect(edge.configsReceived.at(-1)).toMatchObject({
      revision: 2,
      models: { asr: 'small' },
      rulePacks: { 'wealth-sale': '2.0.0' },
    });
    expect((await summary()).running).toMatchObject({ revision: 2, models: { asr: 'small' } });

    const rb = await api<Deployment>(cloud.url, 'POST', `/api/v1/deployments/${res.body.id}/rollback`, {
      token: ops.accessToken,
    });
    expect(rb.status).toBe(201);
    expect(rb.body).toMatchObject({ kind: 'rollback', rollbackOf: res.body.id });
    await waitFor(
      async () => (await deployment(rb.body.id)).status === 'completed',
      5000,
      'rollback applied',
    );
    const after = (await summary()).running!;
    // Same content as before the rollout, under a new (higher) revision.
    expect(after.revision).toBe(3);
    expect({ ...after, revision: 0 }).toEqual({ ...before, revision: 0 });
    expect(edge.running.rulePacks['wealth-sale']).toBe('1.1.0');
    const list = (
      await api<Deployment[]>(cloud.url, 'GET', '/api/v1/deployments', { token: ops.accessToken })
    ).body;
    expect(list.map((d) => d.id).slice(0, 2)).toEqual([rb.body.id, res.body.id]);
  });

  it('an edge that stops heartbeating (socket still open) is marked offline, and heartbeats revive it', async () => {
    const edge = edges[1]!;
    edge.pauseHeartbeats();
    await waitFor(async () => !(await summary()).online, 5000, 'offline after missed heartbeats');
    edge.heartbeat();
    await waitFor(async () => (await summary()).online, 5000, 'revived by a heartbeat');
  });

  it('a failed apply marks the deployment failed', async () => {
    const stubborn = new ScriptedEdge({
      cloudUrl: cloud.url,
      edgeId: 'e1',
      branchId: 'b1',
      key,
      applyConfig: false,
    });
    edges.push(stubborn);
    await stubborn.start();
    const res = await api<Deployment>(cloud.url, 'POST', '/api/v1/deployments', {
      token: ops.accessToken,
      body: { edgeIds: ['e1'], change: { models: { asr: 'huge' } } },
    });
    await waitFor(() => stubborn.configsReceived.length > 0, 5000, 'config pushed');
    stubborn.socket?.emit('edge:config-applied', {
      revision: res.body.targets[0]!.toRevision,
      ok: false,
      error: 'model not found',
    });
    await waitFor(async () => (await deployment(res.body.id)).status === 'failed', 5000, 'deployment failed');
    expect((await deployment(res.body.id)).targets[0]).toMatchObject({
      status: 'failed',
      error: 'model not found',
    });
    // The newer connection replaced the older one.
    await waitFor(() => edges[1]!.socket?.connected !== true, 5000, 'old connection dropped');
  });
});
