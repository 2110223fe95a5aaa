// A real edge node registered with a real cloud: the edge authenticates with its
// key, receives the join-token key, heartbeats, checks a call against the rule
// pack of the product the cloud assigned it with, and hosts a call in which one
// participant is in the branch (direct signaling) and one is remote (relayed by
// the cloud over the edge link).
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Call, DirectJoinResponse, EdgeSummary } from '#protocol/api';
import type { CallJoinInfo } from '#protocol/control';
import type { SignalNotification } from '#protocol/signaling';
import {
  api,
  call,
  connectClient,
  login,
  seedBranchWithEdge,
  startCloud,
  withServices,
  type CloudHandle,
} from '../helpers/cloud.ts';
import { startTestEdge, type TestEdge } from '../helpers/edge.ts';
import { SignalClient } from '../helpers/signal-client.ts';
import type { z } from 'zod';

const OPUS = {
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc: 4242 }],
  rtcp: { cname: 'mgr' },
};

describe('cloud and edge together', () => {
  let cloud: CloudHandle;
  let edge: TestEdge;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    const redisUrl = inject('redisUrl');
    cloud = await startCloud({ redisUrl });
    const key = await seedBranchWithEdge(redisUrl, cloud.prefix, 'branch-ce', 'edge-ce');
    await withServices(redisUrl, cloud.prefix, async (s) => {
      await s.staff.create({
        username: 'mgr-ce',
        password: 'manager-pass-1',
        displayName: 'Mia',
        role: 'manager',
        branchId: 'branch-ce',
      });
      await s.staff.create({
        username: 'cmp-ce',
        password: 'compliance-pass-1',
        displayName: 'Cora',
        role: 'compliance',
      });
      await s.staff.create({
        username: 'ops-ce',
        password: 'ops-pass-0001',
        displayName: 'Otto',
        role: 'ops',
      });
    });
    edge = await startTestEdge({
      EDGE_ID: 'edge-ce',
      BRANCH_ID: 'branch-ce',
      EDGE_KEY: key,
      CLOUD_URL: cloud.url,
      CALL_TOKEN_PUBLIC_KEY_FILE: '',
      HEARTBEAT_INTERVAL_MS: '200',
    });
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    await edge?.stop();
    await cloud?.stop();
  });

  test('the edge registers, receives the join-token key and reports load', async () => {
    await expect.poll(async () => (await fetch(`${edge.url}/readyz`)).status, { timeout: 15_000 }).toBe(200);
    const ready = (await (await fetch(`${edge.url}/readyz`)).json()) as {
      checks: Record<string, { ok: boolean }>;
    };
    expect(ready.checks.cloudLink?.ok).toBe(true);
    expect(ready.checks.joinTokens?.ok).toBe(true);
    const ops = await login(cloud.url, 'ops-ce', 'ops-pass-0001');
    await expect
      .poll(
        async () =>
          (await api<EdgeSummary[]>(cloud.url, 'GET', '/api/v1/edges', { token: ops.accessToken })).body.find(
            (e) => e.edgeId === 'edge-ce',
          ),
        { timeout: 10_000 },
      )
      .toMatchObject({ online: true, branchId: 'branch-ce', capacity: { workers: 1 }, load: { calls: 0 } });
  });

  test('a branch participant and a remote participant relayed by the cloud share one room', async () => {
    const manager = await login(cloud.url, 'mgr-ce', 'manager-pass-1');
    // Not the edge's default pack (wealth-sale): the edge must learn the product from the call assignment.
    const started = await api<Call>(cloud.url, 'POST', '/api/v1/calls', {
      token: manager.accessToken,
      body: { product: 'insurance-sale', customerRiskLevel: 'R3' },
    });
    expect(started.status).toBe(201);
    const callId = started.body.id;
    expect(started.body.edgeId).toBe('edge-ce');

    // The manager, in the branch, talks to the edge directly with a join token from the cloud.
    const direct = await api<z.infer<typeof DirectJoinResponse>>(
      cloud.url,
      'POST',
      `/api/v1/calls/${callId}/join-token`,
      { token: manager.accessToken },
    );
    expect(direct.status).toBe(200);
    const mgr = await SignalClient.connect(edge.url, direct.body.edge.joinToken);
    const { rtpCapabilities } = await mgr.request<{ rtpCapabilities: unknown }>('getRouterRtpCapabilities');
    const send = await mgr.request<{ id: string }>('createWebRtcTransport', { direction: 'send' });
    await mgr.request('join', { displayName: 'Mia', rtpCapabilities });
    // The room exists: the edge checks the call against the product's rule pack.
    expect(edge.edge.analysis.checklist(callId)?.pack.id).toBe('insurance-sale');
    await mgr.request('produce', { transportId: send.id, kind: 'audio', source: 'mic', rtpParameters: OPUS });

    // The compliance officer joins through the cloud as an invisible observer.
    const officer = await login(cloud.url, 'cmp-ce', 'compliance-pass-1');
    const socket = await connectClient(cloud.url, officer.accessToken);
    sockets.push(socket);
    const notes: SignalNotification[] = [];
    socket.on('call:notify', (msg: { callId: string; notification: SignalNotification }) =>
      notes.push(msg.notification),
    );
    const info = await call<CallJoinInfo>(socket, 'call:join', { callId });
    expect(info.role).toBe('observer');
    const signal = <T>(request: unknown) => call<T>(socket, 'call:signal', { callId, request });
    const caps = await signal<{ rtpCapabilities: unknown }>({ method: 'getRouterRtpCapabilities' });
    await signal({ method: 'createWebRtcTransport', data: { direction: 'recv' } });
    // A relayed request that the edge refuses comes back with the edge's own error.
    await expect(signal({ method: 'createWebRtcTransport', data: { direction: 'send' } })).rejects.toThrow(
      /forbidden/,
    );
    const joined = await signal<{ peers: Array<{ peerId: string; role: string }> }>({
      method: 'join',
      data: { displayName: 'Cora', rtpCapabilities: caps.rtpCapabilities },
    });
    expect(joined.peers.map((p) => p.role)).toEqual(['manager']);
    await expect
      .poll(() => notes.find((n) => n.type === 'newConsumer'), { timeout: 10_000 })
      .toMatchObject({ kind: 'audio', source: 'mic' });
    // The manager is not told about the observer.
    await new Promise((r) => setTimeout(r, 300));
    expect(mgr.notifications.some((n) => n.type === 'peerJoined')).toBe(false);
    mgr.close();
  });
});
