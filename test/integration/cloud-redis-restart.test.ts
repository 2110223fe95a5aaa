// Redis restarts under two running cloud instances (its own redis-server with
// AOF, as in the managed config): readiness reports the outage, the instances
// reconnect by themselves, state written before the restart is still there,
// and cross-instance traffic (adapter pub/sub) works again afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Call, CallDetail, DispatchStatus, EdgeSummary, Readiness } from '#protocol/api';
import type { CallJoinInfo, DispatchOffer } from '#protocol/control';
import type { Socket } from 'socket.io-client';
import { startRedis, type RedisHandle } from '../helpers/redis-server.ts';
import {
  api,
  call,
  connectClient,
  login,
  request,
  ScriptedEdge,
  seedBranchWithEdge,
  startCloud,
  uniquePrefix,
  waitFor,
  withServices,
  type CloudHandle,
} from '../helpers/cloud.ts';

let redis: RedisHandle;
let dataDir: string;
let a: CloudHandle;
let b: CloudHandle;
let edge: ScriptedEdge;
const sockets: Socket[] = [];

const ready = async (c: CloudHandle) => {
  const res = await fetch(`${c.url}/readyz`).catch(() => null);
  return res ? { status: res.status, body: (await res.json()) as Readiness } : null;
};

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'branchedge-restart-redis-'));
  redis = await startRedis(dataDir);
  const prefix = uniquePrefix('restart');
  const key = await seedBranchWithEdge(redis.url, prefix, 'b1', 'e1');
  await withServices(redis.url, prefix, async (s) => {
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
  // Offline marking is slower than the outage: the edge must not be declared dead by a Redis blip.
  const env = { EDGE_OFFLINE_AFTER_MS: '8000' };
  [a, b] = await Promise.all([
    startCloud({ redisUrl: redis.url, prefix, env, instanceId: 'A' }),
    startCloud({ redisUrl: redis.url, prefix, env, instanceId: 'B' }),
  ]);
  edge = new ScriptedEdge({ cloudUrl: a.url, edgeId: 'e1', branchId: 'b1', key });
  await edge.start();
});

afterAll(async () => {
  for (const s of sockets) s.close();
  edge?.stop();
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Redis restart', () => {
  it('instances report the outage, reconnect, keep state, and still talk to each other', async () => {
    const mgr = await login(b.url, 'mgr', 'manager-pass');
    const created = await api<Call>(b.url, 'POST', '/api/v1/calls', {
      token: mgr.accessToken,
      body: { topic: 'before restart' },
    });
    expect(created.status).toBe(201);
    const callId = created.body.id;

    await redis.stop();
    await waitFor(
      async () => (await ready(a))?.status === 503 && (await ready(b))?.status === 503,
      10_000,
      'readyz 503 on both',
    );
    expect((await ready(a))?.body.checks.redis?.ok).toBe(false);
    // Requests during the outage fail fast with a clear 503, not a hang.
    const during = await api<{ error: { code: string } }>(a.url, 'GET', `/api/v1/calls/${callId}`, {
      token: mgr.accessToken,
    });
    expect(during.status).toBe(503);
    expect(during.body.error.code).toBe('unavailable');

    await redis.restart();
    await waitFor(
      async () => (await ready(a))?.status === 200 && (await ready(b))?.status === 200,
      20_000,
      'readyz 200 on both',
    );

    // State from before the restart survived (AOF): the call, the accounts, the edge registration.
    const after = await api<CallDetail>(a.url, 'GET', `/api/v1/calls/${callId}`, { token: mgr.accessToken });
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ id: callId, topic: 'before restart', status: 'active', edgeId: 'e1' });
    const exp = await login(a.url, 'exp', 'expert-pass');
    await waitFor(
      async () =>
        (await api<EdgeSummary>(b.url, 'GET', '/api/v1/edges/e1', { token: mgr.accessToken })).body.online ===
        true,
      10_000,
      'edge online (heartbeats resumed)',
    );

    // Cross-instance work after the restart: dispatch from B to an expert on A, relay B → edge on A.
    const expertSock = await connectClient(a.url, exp.accessToken);
    const managerSock = await connectClient(b.url, mgr.accessToken);
    sockets.push(expertSock, managerSock);
    const offers: DispatchOffer[] = [];
    expertSock.on('dispatch:offer', (o: DispatchOffer) => offers.push(o));
    await call(expertSock, 'presence:set', { status: 'available' });
    const st = await call<DispatchStatus>(managerSock, 'dispatch:request', { callId, skill: 'loans' });
    await waitFor(() => offers.length === 1, 10_000, 'offer across instances after restart');
    const accepted = await request(expertSock, 'dispatch:accept', { requestId: st.requestId });
    expect(accepted.ok).toBe(true);
    const joined = await call<CallJoinInfo>(managerSock, 'call:join', { callId });
    expect(joined.join).toMatchObject({ edgeId: 'e1' });
  });
});
