// Dispatch under contention: 50 simultaneous help requests, 10 experts spread
// over two cloud instances (separate processes). Some offers are declined to
// force re-offers. Each request must be assigned exactly once; none is lost;
// no expert ever holds two calls at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Call, DispatchStatus } from '#protocol/api';
import type { DispatchOffer } from '#protocol/control';
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
const REQUESTS = 50;
const EXPERTS = 10;
let prefix: string;
let a: CloudHandle;
let b: CloudHandle;
let edge: ScriptedEdge;
const sockets: Socket[] = [];

beforeAll(async () => {
  prefix = uniquePrefix('contention');
  const key = await seedBranchWithEdge(redisUrl, prefix, 'b1', 'e1');
  await withServices(redisUrl, prefix, async (s) => {
    await s.staff.create({
      username: 'mgr-a',
      password: 'manager-pass',
      displayName: 'MA',
      role: 'manager',
      branchId: 'b1',
    });
    await s.staff.create({
      username: 'mgr-b',
      password: 'manager-pass',
      displayName: 'MB',
      role: 'manager',
      branchId: 'b1',
    });
    for (let i = 0; i < EXPERTS; i++) {
      await s.staff.create({
        username: `exp${i}`,
        password: 'expert-pass',
        displayName: `E${i}`,
        role: 'expert',
        skills: ['wealth'],
      });
    }
  });
  const env = { DISPATCH_OFFER_TIMEOUT_MS: '5000', DISPATCH_SKIP_WINDOW_MS: '300' };
  [a, b] = await Promise.all([
    startCloud({ redisUrl, prefix, mode: 'child', instanceId: 'A', env }),
    startCloud({ redisUrl, prefix, mode: 'child', instanceId: 'B', env }),
  ]);
  edge = new ScriptedEdge({ cloudUrl: a.url, edgeId: 'e1', branchId: 'b1', key, maxCalls: 200 });
  await edge.start();
});

afterAll(async () => {
  for (const s of sockets) s.close();
  edge?.stop();
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('dispatch under contention', () => {
  it('50 simultaneous requests, 10 experts on two instances: each assigned exactly once, none lost', async () => {
    const accepted: { requestId: string; expert: string }[] = [];
    const offersSeen = new Map<string, number>();
    let busyViolations = 0;
    let declines = 0;

    for (let i = 0; i < EXPERTS; i++) {
      const inst = i % 2 === 0 ? a : b;
      const tok = await login(inst.url, `exp${i}`, 'expert-pass');
      const sock = await connectClient(inst.url, tok.accessToken);
      sockets.push(sock);
      let inCall = false;
      sock.on('dispatch:offer', async (offer: DispatchOffer) => {
        offersSeen.set(offer.requestId, (offersSeen.get(offer.requestId) ?? 0) + 1);
        if (inCall) busyViolations++;
        // Every 7th offer is declined, forcing a re-offer to someone else.
        if ((offersSeen.size + i) % 7 === 0 && offersSeen.get(offer.requestId) === 1) {
          declines++;
          await request(sock, 'dispatch:decline', { requestId: offer.requestId });
          return;
        }
        const res = await request<{ callId: string }>(sock, 'dispatch:accept', {
          requestId: offer.requestId,
        });
        if (!res.ok) return;
        inCall = true;
        accepted.push({ requestId: offer.requestId, expert: `exp${i}` });
        await call(sock, 'call:join', { callId: res.data.callId });
        inCall = false;
        await call(sock, 'call:leave', { callId: res.data.callId });
      });
      await call(sock, 'presence:set', { status: 'available' });
    }

    const managers = await Promise.all([
      login(a.url, 'mgr-a', 'manager-pass'),
      login(b.url, 'mgr-b', 'manager-pass'),
    ]);
    const mgrSocks = await Promise.all([
      connectClient(a.url, managers[0].accessToken),
      connectClient(b.url, managers[1].accessToken),
    ]);
    sockets.push(...mgrSocks);
    const calls = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) =>
        api<Call>(i % 2 ? b.url : a.url, 'POST', '/api/v1/calls', {
          token: managers[i % 2]!.accessToken,
          body: {},
        }),
      ),
    );
    expect(calls.every((c) => c.status === 201)).toBe(true);

    // All 50 at once, half through each instance.
    const acks = await Promise.all(
      calls.map((c, i) =>
        request<DispatchStatus>(mgrSocks[i % 2]!, 'dispatch:request', {
          callId: c.body.id,
          skill: 'wealth',
          urgency: i % 5 === 0 ? 'high' : 'normal',
        }),
      ),
    );
    expect(acks.every((x) => x.ok)).toBe(true);
    const requestIds = acks.map((x) => (x.ok ? x.data.requestId : ''));
    expect(new Set(requestIds).size).toBe(REQUESTS);

    await waitFor(
      () => accepted.length >= REQUESTS,
      60_000,
      `all ${REQUESTS} requests assigned (have ${accepted.length})`,
      100,
    );
    // Give any erroneous second assignment a moment to show up.
    await new Promise((r) => setTimeout(r, 500));

    expect(accepted).toHaveLength(REQUESTS);
    expect(new Set(accepted.map((x) => x.requestId))).toEqual(new Set(requestIds));
    expect(busyViolations).toBe(0);
    expect(declines).toBeGreaterThan(0);

    // Redis agrees: every request assigned, to the expert whose accept succeeded; the queue is empty.
    await withServices(redisUrl, prefix, async (s) => {
      const reqs = await s.requests.getMany(requestIds);
      for (const r of reqs) {
        expect(r?.status).toBe('assigned');
        expect(r?.expertId).toBe(accepted.find((x) => x.requestId === r?.id)?.expert);
      }
      expect(await s.requests.queued()).toEqual([]);
      expect(await s.requests.offered()).toEqual([]);
    });
    // Work was spread over both instances' experts.
    const experts = new Set(accepted.map((x) => x.expert));
    expect([...experts].some((e) => Number(e.slice(3)) % 2 === 0)).toBe(true);
    expect([...experts].some((e) => Number(e.slice(3)) % 2 === 1)).toBe(true);
  });
});
