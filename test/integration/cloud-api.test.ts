// The REST surface and the dispatcher's queue behaviour on one instance: OpenAPI,
// JSON errors, static-client fallback, branch routing by distance and
// busyness, queue position/ETA, offer timeout with re-offer, cancel; a call's
// product and customer risk level from start to the edge and the expert's
// queue; who is online for operations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { BranchRecommendation, Call, DispatchStatus, LoginResponse } from '#protocol/api';
import type { DispatchOffer, ExpertPresence, PresenceSnapshot } from '#protocol/control';
import type { ErrorBody } from '#protocol/errors';
import type { Socket } from 'socket.io-client';
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

const redisUrl = inject('redisUrl');
let cloud: CloudHandle;
let manager: LoginResponse;
const edges: ScriptedEdge[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  const prefix = uniquePrefix('api');
  // Three branches around Central with different busyness; the far one is idle.
  const keys = await Promise.all([
    seedBranchWithEdge(redisUrl, prefix, 'near', 'e-near', { lat: 22.2855, lon: 114.1577 }),
    seedBranchWithEdge(redisUrl, prefix, 'mid', 'e-mid', { lat: 22.2701, lon: 114.1496 }),
    seedBranchWithEdge(redisUrl, prefix, 'far', 'e-far', { lat: 22.3372, lon: 114.1762 }),
  ]);
  await withServices(redisUrl, prefix, async (s) => {
    await s.branches.upsert('dark', { name: 'no edge online', lat: 22.2819, lon: 114.1582 });
    await s.staff.create({
      username: 'mgr',
      password: 'manager-pass',
      displayName: 'M',
      role: 'manager',
      branchId: 'near',
    });
    for (const u of ['x1', 'x2'])
      await s.staff.create({
        username: u,
        password: 'expert-pass',
        displayName: u,
        role: 'expert',
        skills: ['fx'],
      });
  });
  cloud = await startCloud({
    redisUrl,
    prefix,
    env: {
      SERVE_CLIENT: '1',
      CLIENT_DIST_DIR: '/nonexistent/dist',
      DISPATCH_OFFER_TIMEOUT_MS: '700',
      DISPATCH_SKIP_WINDOW_MS: '60000',
      DISPATCH_DEFAULT_HANDLE_S: '120',
    },
  });
  const busy = { 'e-near': 1, 'e-mid': 0.1, 'e-far': 0 } as Record<string, number>;
  for (const [i, id] of ['e-near', 'e-mid', 'e-far'].entries()) {
    const e = new ScriptedEdge({
      cloudUrl: cloud.url,
      edgeId: id,
      branchId: ['near', 'mid', 'far'][i]!,
      key: keys[i]!,
      busyness: busy[id]!,
    });
    await e.start();
    edges.push(e);
  }
  manager = await login(cloud.url, 'mgr', 'manager-pass');
});

afterAll(async () => {
  for (const s of sockets) s.close();
  for (const e of edges) e.stop();
  await cloud?.stop();
});

describe('HTTP surface', () => {
  it('serves an OpenAPI 3.1 document describing the routes', async () => {
    const doc = await api<{
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    }>(cloud.url, 'GET', '/api/v1/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/auth/login',
        '/api/v1/calls',
        '/api/v1/calls/{callId}/invites',
        '/api/v1/deployments/{deploymentId}/rollback',
        '/api/v1/branches/recommend',
      ]),
    );
    expect(doc.body.paths['/api/v1/auth/login']?.post?.requestBody).toBeDefined();
  });

  it('answers errors as JSON with codes', async () => {
    const missing = await api<{ error: { code: string } }>(cloud.url, 'GET', '/api/v1/nothing-here');
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    const bad = await api<{ error: { code: string; details: { fields: { path: string }[] } } }>(
      cloud.url,
      'POST',
      '/api/v1/auth/login',
      { body: { username: '' } },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields.map((f) => f.path).sort()).toEqual(['password', 'username']);
    const notJson = await fetch(`${cloud.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{oops',
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { code: 'bad_request' } });
  });

  it('explains a missing client build instead of crashing, and is ready', async () => {
    const root = await fetch(`${cloud.url}/`);
    expect(root.status).toBe(503);
    expect(await root.text()).toMatch(/not built/);
    const ready = await fetch(`${cloud.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, checks: { redis: { ok: true } } });
    expect(root.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('online dispatching offline: branch recommendation', () => {
  it('routes to the nearest branch that is not saturated', async () => {
    await waitFor(
      async () => {
        const r = await api<{ candidates: BranchRecommendation[] }>(
          cloud.url,
          'GET',
          '/api/v1/branches/recommend?lat=22.2819&lon=114.1582',
          { token: manager.accessToken },
        );
        return r.body.candidates?.filter((c) => c.online).length === 3;
      },
      5000,
      'busyness from all edges',
    );
    const res = await api<{ best: BranchRecommendation; candidates: BranchRecommendation[] }>(
      cloud.url,
      'GET',
      '/api/v1/branches/recommend?lat=22.2819&lon=114.1582',
      {
        token: manager.accessToken,
      },
    );
    expect(res.status).toBe(200);
    // near is 0.4 km but saturated (busyness 1), mid is 1.6 km and quiet, far is 6 km and idle; dark has no edge.
    expect(res.body.best.branchId).toBe('mid');
    expect(res.body.candidates.map((c) => c.branchId)).toEqual(['mid', 'near', 'far', 'dark']);
    expect(res.body.candidates.at(-1)).toMatchObject({ online: false, busyness: null });
    const limited = await api<{ candidates: BranchRecommendation[] }>(
      cloud.url,
      'GET',
      '/api/v1/branches/recommend?lat=22.2819&lon=114.1582&maxDistanceKm=1',
      { token: manager.accessToken },
    );
    expect(limited.body.candidates.map((c) => c.branchId)).toEqual(['near', 'dark']);
    const invalid = await api(cloud.url, 'GET', '/api/v1/branches/recommend?lat=999&lon=0', {
      token: manager.accessToken,
    });
    expect(invalid.status).toBe(400);
  });
});

describe('dispatch queue', () => {
  it('gives queue position and ETA, re-offers after a timeout (setting the silent expert away), and cancels', async () => {
    const mgrSock = await connectClient(cloud.url, manager.accessToken);
    sockets.push(mgrSock);
    const updates: DispatchStatus[] = [];
    mgrSock.on('dispatch:update', (u: DispatchStatus) => updates.push(u));
    const calls = await Promise.all(
      [0, 1, 2].map(() =>
        api<Call>(cloud.url, 'POST', '/api/v1/calls', { token: manager.accessToken, body: {} }),
      ),
    );

    // Nobody with the skill online: queued, no ETA.
    const r1 = await call<DispatchStatus>(mgrSock, 'dispatch:request', {
      callId: calls[0]!.body.id,
      skill: 'fx',
    });
    expect(r1).toMatchObject({ status: 'queued', position: 1, etaS: null });

    // x1 comes online but ignores offers; x2 is away. Three requests queue up behind x1's offer.
    const x1 = await connectClient(cloud.url, (await login(cloud.url, 'x1', 'expert-pass')).accessToken);
    const x2 = await connectClient(cloud.url, (await login(cloud.url, 'x2', 'expert-pass')).accessToken);
    sockets.push(x1, x2);
    const x1Offers: DispatchOffer[] = [];
    const x1Presence: ExpertPresence[] = [];
    const x2Offers: DispatchOffer[] = [];
    x1.on('dispatch:offer', (o: DispatchOffer) => x1Offers.push(o));
    x1.on('presence:update', (p: ExpertPresence) => x1Presence.push(p));
    x2.on('dispatch:offer', (o: DispatchOffer) => x2Offers.push(o));
    await call(x2, 'presence:set', { status: 'away' });
    await call(x1, 'presence:set', { status: 'available' });
    await waitFor(() => x1Offers.length === 1, 5000, 'offer to x1');
    expect(x1Offers[0]?.requestId).toBe(r1.requestId);

    const r2 = await call<DispatchStatus>(mgrSock, 'dispatch:request', {
      callId: calls[1]!.body.id,
      skill: 'fx',
    });
    const r3 = await call<DispatchStatus>(mgrSock, 'dispatch:request', {
      callId: calls[2]!.body.id,
      skill: 'fx',
      urgency: 'critical',
    });
    // The critical request jumps ahead; with one (busy) expert online each place waits one handling time.
    expect(r3).toMatchObject({ status: 'queued', position: 1, etaS: 120 });
    const r2now = (
      await api<DispatchStatus>(cloud.url, 'GET', `/api/v1/dispatch/requests/${r2.requestId}`, {
        token: manager.accessToken,
      })
    ).body;
    expect(r2now).toMatchObject({ status: 'queued', position: 2, etaS: 240 });

    // x1 never answers: the offer times out, x1 is set away and the request goes back to the queue.
    await waitFor(
      () => x1Presence.some((p) => p.chosen === 'away'),
      10_000,
      'x1 set away after missed offer',
    );
    await waitFor(
      () => updates.some((u) => u.requestId === r1.requestId && u.status === 'queued' && u.attempts === 1),
      5000,
      'r1 re-queued',
    );

    // x2 becomes available and receives the critical request first, then accepts; the rest move up.
    await call(x2, 'presence:set', { status: 'available' });
    await waitFor(() => x2Offers.length === 1, 5000, 'offer to x2');
    expect(x2Offers[0]?.requestId).toBe(r3.requestId);
    const ok = await request(x2, 'dispatch:accept', { requestId: r3.requestId });
    expect(ok.ok).toBe(true);
    // x1 accepting an offer it no longer holds is refused.
    const late = await request(x1, 'dispatch:accept', { requestId: r1.requestId });
    expect(late.ok).toBe(false);
    if (!late.ok)
      expect(late.error).toMatchObject({ code: 'conflict', details: { reason: 'offer_not_held' } });

    const cancelled = await call<DispatchStatus>(mgrSock, 'dispatch:cancel', { requestId: r2.requestId });
    expect(cancelled.status).toBe('cancelled');
    const queue = (
      await api<DispatchStatus[]>(cloud.url, 'GET', '/api/v1/dispatch/queue', { token: manager.accessToken })
    ).body;
    expect(queue.map((q) => q.requestId)).toEqual([r1.requestId]);
    expect(queue[0]).toMatchObject({ position: 1 });
    const twice = await request(mgrSock, 'dispatch:cancel', { requestId: r2.requestId });
    expect(twice.ok).toBe(false);
  });
});

describe('the product and customer risk level of a call', () => {
  let ops: LoginResponse;
  const near = () => edges.find((e) => e.o.edgeId === 'e-near')!;
  const startCall = (body: Record<string, unknown>) =>
    api<Call & ErrorBody>(cloud.url, 'POST', '/api/v1/calls', { token: manager.accessToken, body });

  beforeAll(async () => {
    await withServices(redisUrl, cloud.prefix, async (s) => {
      await s.branches.upsert('near', { name: 'Near Branch', lat: 22.2855, lon: 114.1577 });
      await s.staff.create({ username: 'ops1', password: 'ops-pass-0001', displayName: 'O', role: 'ops' });
      await s.staff.create({
        username: 'x3',
        password: 'expert-pass',
        displayName: 'Ines',
        role: 'expert',
        skills: ['insurance'],
      });
    });
    ops = await login(cloud.url, 'ops1', 'ops-pass-0001');
  });

  it('a call carries its product and risk level, the edge is told both, and an unknown product is refused', async () => {
    const started = await startCall({ product: 'insurance-sale', customerRiskLevel: 'R2', topic: 'renewal' });
    expect(started).toMatchObject({
      status: 201,
      body: { product: 'insurance-sale', customerRiskLevel: 'R2', topic: 'renewal', branchId: 'near' },
    });
    const read = await api<Call>(cloud.url, 'GET', `/api/v1/calls/${started.body.id}`, {
      token: manager.accessToken,
    });
    expect(read.body).toMatchObject({ product: 'insurance-sale', customerRiskLevel: 'R2' });
    await waitFor(
      () => near().assignments.some((a) => a.callId === started.body.id),
      5000,
      'edge told of the call',
    );
    expect(near().assignments.find((a) => a.callId === started.body.id)).toMatchObject({
      product: 'insurance-sale',
      customerRiskLevel: 'R2',
    });

    const unknown = await startCall({ product: 'mortgage-sale' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({
      code: 'bad_request',
      details: {
        reason: 'unknown_product',
        fields: [{ path: 'product' }],
        known: expect.arrayContaining(['insurance-sale', 'wealth-sale']),
      },
    });
    const badRisk = await startCall({ product: 'wealth-sale', customerRiskLevel: 'R7' });
    expect(badRisk.status).toBe(400);
    expect(badRisk.body.error).toMatchObject({ details: { fields: [{ path: 'customerRiskLevel' }] } });
  });

  it('a rule pack rolled out to an edge of the branch becomes a product there', async () => {
    const dep = await api(cloud.url, 'POST', '/api/v1/deployments', {
      token: ops.accessToken,
      body: { edgeIds: ['e-mid'], change: { rulePacks: { 'mortgage-sale': '1.0.0' } } },
    });
    expect(dep.status).toBe(201);
    // e-mid serves branch `mid`; the manager's branch `near` still does not know it.
    expect((await startCall({ product: 'mortgage-sale' })).status).toBe(400);
    await withServices(redisUrl, cloud.prefix, async (s) => {
      expect(await s.products.known('mid')).toEqual(['insurance-sale', 'mortgage-sale', 'wealth-sale']);
    });
  });

  it('a product id in the topic is taken as the product (older clients, calls stored before products)', async () => {
    const old = await startCall({ topic: 'wealth-sale' });
    expect(old).toMatchObject({ status: 201, body: { product: 'wealth-sale', topic: 'wealth-sale' } });
    const note = await startCall({ topic: 'a chat about savings' });
    expect(note.body.product).toBeUndefined();
    // A call stored by an earlier version: no product field in its hash.
    await withServices(redisUrl, cloud.prefix, async (s) => {
      await s.redis.hSet(s.keys.call('call-legacy'), {
        id: 'call-legacy',
        branchId: 'near',
        edgeId: 'e-near',
        status: 'active',
        createdAt: String(Date.now()),
        createdBy: 'mgr',
        topic: 'insurance-sale',
        allowRemoteCustomer: '0',
        edgeOnline: '1',
      });
    });
    const legacy = await api<Call>(cloud.url, 'GET', '/api/v1/calls/call-legacy', {
      token: manager.accessToken,
    });
    expect(legacy.body).toMatchObject({
      id: 'call-legacy',
      product: 'insurance-sale',
      topic: 'insurance-sale',
    });
    expect(legacy.body.customerRiskLevel).toBeUndefined();
  });

  it("requests and offers carry the call's context; the product implies the skill", async () => {
    const started = await startCall({ product: 'insurance-sale', customerRiskLevel: 'R4' });
    const mgrSock = await connectClient(cloud.url, manager.accessToken);
    sockets.push(mgrSock);
    const context = {
      branchId: 'near',
      branchName: 'Near Branch',
      product: 'insurance-sale',
      customerRiskLevel: 'R4',
      skill: 'insurance',
      note: 'surrender value question',
    };
    const req = await call<DispatchStatus>(mgrSock, 'dispatch:request', {
      callId: started.body.id,
      note: 'surrender value question',
    });
    expect(req).toMatchObject({ ...context, status: 'queued', position: 1 });
    const queue = await api<DispatchStatus[]>(cloud.url, 'GET', '/api/v1/dispatch/queue', {
      token: manager.accessToken,
    });
    expect(queue.body.find((q) => q.requestId === req.requestId)).toMatchObject(context);

    const x3 = await connectClient(cloud.url, (await login(cloud.url, 'x3', 'expert-pass')).accessToken);
    sockets.push(x3);
    const offers: DispatchOffer[] = [];
    x3.on('dispatch:offer', (o: DispatchOffer) => offers.push(o));
    await call(x3, 'presence:set', { status: 'available' });
    await waitFor(() => offers.some((o) => o.requestId === req.requestId), 5000, 'offer to x3');
    const offer = offers.find((o) => o.requestId === req.requestId);
    expect(offer).toMatchObject(context);
    // A reloaded page (a new connection) is shown the offer it still holds.
    const again = await connectClient(cloud.url, (await login(cloud.url, 'x3', 'expert-pass')).accessToken);
    sockets.push(again);
    const resent: DispatchOffer[] = [];
    again.on('dispatch:offer', (o: DispatchOffer) => resent.push(o));
    await waitFor(() => resent.length > 0, 5000, 'offer re-sent on reconnect');
    expect(resent).toEqual([offer]);
    await call(x3, 'dispatch:decline', { requestId: req.requestId });
    await call(mgrSock, 'dispatch:cancel', { requestId: req.requestId });

    // A call without a product implies no skill: the request must name one.
    const bare = await startCall({});
    const refused = await request(mgrSock, 'dispatch:request', { callId: bare.body.id });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'bad_request', details: { reason: 'skill_required' } },
    });
  });

  it('shows operations who is online: every expert, counts per skill, managers per branch', async () => {
    const snap = await api<PresenceSnapshot>(cloud.url, 'GET', '/api/v1/presence', {
      token: ops.accessToken,
    });
    expect(snap.status).toBe(200);
    expect(snap.body.experts.map((e) => e.expertId)).toEqual(['x1', 'x2', 'x3']);
    expect(snap.body.experts.find((e) => e.expertId === 'x3')).toMatchObject({ status: 'available' });
    expect(snap.body.bySkill.find((c) => c.skill === 'insurance')).toEqual({
      skill: 'insurance',
      available: 1,
      busy: 0,
      away: 0,
      offline: 0,
    });
    expect(snap.body.managers.find((m) => m.branchId === 'near')).toEqual({
      branchId: 'near',
      branchName: 'Near Branch',
      online: 1,
      total: 1,
    });
    expect(snap.body.managers.find((m) => m.branchId === 'far')).toMatchObject({ online: 0, total: 0 });
    const forManager = await api(cloud.url, 'GET', '/api/v1/presence', { token: manager.accessToken });
    expect(forManager.status).toBe(403);
  });
});
