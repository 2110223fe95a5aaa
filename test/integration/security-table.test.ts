// Security properties as tables: every REST operation the cloud documents in
// its OpenAPI document, and every socket.io event, tried with no credentials,
// bad credentials and the wrong role; token expiry; single-use invites; helmet
// headers and CORS; media only over ICE + DTLS-SRTP on the edge's WebRtcServer
// port; every lobby endpoint of the edge's HTTP tried with each kind of bad
// credential; and no secret in the logs of a cloud and an edge run as real processes.
import { generateKeyPairSync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { io as ioClient } from 'socket.io-client';
import type { types } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Call, LoginResponse } from '#protocol/api';
import { ErrorBody } from '#protocol/errors';
import type { LobbyAccessClaims } from '#protocol/lobby';
import type { StaffRole } from '#protocol/roles';
import { ROLE_PERMISSIONS } from '../../server/src/auth/permissions.ts';
import { renderScriptedLobby } from '../../scripts/lobby-assets.ts';
import { artifactPath } from '../helpers/artifacts.ts';
import {
  api,
  call as callAck,
  connectClient,
  login,
  request,
  ScriptedEdge,
  seedBranchWithEdge,
  startCloud,
  TEST_JWT_SECRET,
  uniquePrefix,
  withServices,
  type CloudHandle,
} from '../helpers/cloud.ts';
import { startTestEdge, type TestEdge } from '../helpers/edge.ts';
import { spawnCloud, spawnEdge, type ChildService } from '../helpers/processes.ts';
import { SignalClient } from '../helpers/signal-client.ts';

const redisUrl = inject('redisUrl');
const PASSWORDS: Record<StaffRole, string> = {
  manager: 'mgr-pass-Zq81vL',
  expert: 'exp-pass-Yt72wK',
  compliance: 'cmp-pass-Xs63uJ',
  ops: 'ops-pass-Wr54tH',
};
const ROLES = Object.keys(PASSWORDS) as StaffRole[];

async function seedStaff(prefix: string, branchId: string): Promise<void> {
  await withServices(redisUrl, prefix, async (s) => {
    for (const role of ROLES) {
      await s.staff.create({
        username: role,
        password: PASSWORDS[role],
        displayName: role,
        role,
        ...(role === 'manager' ? { branchId } : {}),
        ...(role === 'expert' ? { skills: ['wealth'] } : {}),
      });
    }
  });
}

interface Operation {
  method: string;
  path: string;
  permission?: string;
  public: boolean;
}

function operations(openapi: {
  paths: Record<string, Record<string, { security?: unknown[]; 'x-permission'?: string }>>;
}): Operation[] {
  const out: Operation[] = [];
  for (const [p, methods] of Object.entries(openapi.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      out.push({
        method: method.toUpperCase(),
        path: p.replace(/\{[^}]+\}/g, 'x-probe'),
        public: Array.isArray(op.security) && op.security.length === 0,
        ...(op['x-permission'] ? { permission: op['x-permission'] } : {}),
      });
    }
  }
  return out;
}

/** A JWT with `alg: none` and no signature. */
const unsigned = (payload: object) =>
  `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;

const errorOf = (body: unknown) =>
  (body as { error?: { code?: string; details?: { reason?: string } } }).error;

describe('REST and socket access control', () => {
  let cloud: CloudHandle;
  let edge: ScriptedEdge;
  let edgeKey: string;
  const staff = {} as Record<StaffRole, LoginResponse>;
  let callId: string;
  let edgeToken: string;
  let inviteToken: string;
  let customerToken: string;

  beforeAll(async () => {
    const prefix = uniquePrefix('sec');
    edgeKey = await seedBranchWithEdge(redisUrl, prefix, 'b-sec', 'e-sec');
    await seedStaff(prefix, 'b-sec');
    cloud = await startCloud({ redisUrl, prefix, env: { CORS_ORIGINS: 'https://allowed.example' } });
    edge = new ScriptedEdge({ cloudUrl: cloud.url, edgeId: 'e-sec', branchId: 'b-sec', key: edgeKey });
    await edge.start();
    for (const role of ROLES) staff[role] = await login(cloud.url, role, PASSWORDS[role]);
    const started = await api<Call>(cloud.url, 'POST', '/api/v1/calls', {
      token: staff.manager.accessToken,
      body: { allowRemoteCustomer: true },
    });
    callId = started.body.id;
    edgeToken = (
      await api<{ token: string }>(cloud.url, 'POST', '/api/v1/edges/auth', {
        body: { edgeId: 'e-sec', key: edgeKey },
      })
    ).body.token;
    const invite = async () =>
      (
        await api<{ token: string }>(cloud.url, 'POST', `/api/v1/calls/${callId}/invites`, {
          token: staff.manager.accessToken,
          body: {},
        })
      ).body.token;
    inviteToken = await invite();
    customerToken = (
      await api<{ token: string }>(cloud.url, 'POST', '/api/v1/invites/redeem', {
        body: { token: await invite() },
      })
    ).body.token;
  });

  afterAll(async () => {
    edge?.stop();
    await cloud?.stop();
  });

  test('every documented REST operation refuses missing, malformed, forged, expired and wrong-kind tokens, and roles without its permission', async () => {
    const doc = await api<Parameters<typeof operations>[0]>(cloud.url, 'GET', '/api/v1/openapi.json');
    expect(doc.status).toBe(200);
    const ops = operations(doc.body);
    const guarded = ops.filter((o) => !o.public);
    expect(guarded.length).toBeGreaterThan(20);
    const now = Math.floor(Date.now() / 1000);
    const allPerms = [...new Set(Object.values(ROLE_PERMISSIONS).flat())];
    const claims = { typ: 'staff', sub: 'ops', role: 'ops', perms: allPerms, name: 'ops' };
    const credentials: Array<{ name: string; token: string | undefined; status: number[]; reason?: string }> =
      [
        { name: 'no token', token: undefined, status: [401], reason: 'missing' },
        { name: 'malformed', token: 'not.a.jwt', status: [401], reason: 'malformed' },
        {
          name: 'forged signature',
          token: jwt.sign(claims, 'another-secret-0123456789abcdef-0123456789', {
            issuer: 'branchedge-cloud',
            expiresIn: 600,
          }),
          status: [401],
          reason: 'invalid_signature',
        },
        {
          name: 'expired',
          token: jwt.sign({ ...claims, iat: now - 1200, exp: now - 600 }, TEST_JWT_SECRET, {
            issuer: 'branchedge-cloud',
          }),
          status: [401],
          reason: 'expired',
        },
        {
          name: 'alg none',
          token: unsigned({ ...claims, iss: 'branchedge-cloud', iat: now, exp: now + 600 }),
          status: [401],
        },
        { name: 'edge token', token: edgeToken, status: [401], reason: 'wrong_token_type' },
        { name: 'invite token', token: inviteToken, status: [401], reason: 'wrong_token_type' },
        // a customer's token is scoped to its own call: refused everywhere else (or the probe id is unknown)
        { name: 'customer token', token: customerToken, status: [401, 403, 404] },
      ];
    const rows: Array<{
      op: string;
      as: string;
      status: number;
      code?: string;
      reason?: string;
      ok: boolean;
    }> = [];
    for (const o of guarded) {
      for (const c of credentials) {
        const res = await api(cloud.url, o.method, o.path, {
          ...(c.token ? { token: c.token } : {}),
          ...(o.method === 'GET' || o.method === 'DELETE' ? {} : { body: {} }),
        });
        const e = errorOf(res.body);
        const ok =
          c.status.includes(res.status) &&
          ErrorBody.safeParse(res.body).success &&
          (!c.reason || e?.details?.reason === c.reason);
        rows.push({
          op: `${o.method} ${o.path}`,
          as: c.name,
          status: res.status,
          ...(e?.code ? { code: e.code } : {}),
          ...(e?.details?.reason ? { reason: e.details.reason } : {}),
          ok,
        });
      }
      if (!o.permission) continue;
      for (const role of ROLES.filter(
        (r) => !(ROLE_PERMISSIONS[r] as readonly string[]).includes(o.permission!),
      )) {
        const res = await api(cloud.url, o.method, o.path, {
          token: staff[role].accessToken,
          ...(o.method === 'GET' || o.method === 'DELETE' ? {} : { body: {} }),
        });
        const e = errorOf(res.body);
        rows.push({
          op: `${o.method} ${o.path}`,
          as: `${role} (lacks ${o.permission})`,
          status: res.status,
          ...(e?.code ? { code: e.code } : {}),
          ok: res.status === 403 && e?.code === 'forbidden' && e.details?.reason === 'wrong_role',
        });
      }
    }
    writeFileSync(artifactPath('security-table-rest.json'), JSON.stringify(rows, null, 2));
    expect(rows.filter((r) => !r.ok)).toEqual([]);
    expect(rows.length).toBeGreaterThan(guarded.length * credentials.length);
  });

  test('public operations answer a malformed body with a typed 400, never a 5xx', async () => {
    const doc = await api<Parameters<typeof operations>[0]>(cloud.url, 'GET', '/api/v1/openapi.json');
    const publicOps = operations(doc.body).filter((o) => o.public && o.method !== 'GET');
    expect(publicOps.map((o) => o.path)).toEqual(
      expect.arrayContaining(['/api/v1/auth/login', '/api/v1/invites/redeem', '/api/v1/edges/auth']),
    );
    for (const o of publicOps) {
      const res = await api(cloud.url, o.method, o.path, { body: { unexpected: [1, 2, 3] } });
      expect.soft(res.status, `${o.method} ${o.path}`).toBeGreaterThanOrEqual(400);
      expect.soft(res.status, `${o.method} ${o.path}`).toBeLessThan(500);
      expect.soft(ErrorBody.safeParse(res.body).success, `${o.method} ${o.path}`).toBe(true);
    }
  });

  test('socket.io: /client refuses missing and wrong-kind tokens; each event refuses roles without its permission', async () => {
    const refused = async (token: string | undefined) => {
      const err = await connectClient(cloud.url, token as string).then(
        (s) => {
          s.close();
          return undefined;
        },
        (e: Error & { data?: unknown }) => e.data,
      );
      return errorOf(err);
    };
    expect(await refused(undefined)).toMatchObject({
      code: 'unauthenticated',
      details: { reason: 'missing' },
    });
    expect(await refused('garbage')).toMatchObject({ code: 'unauthenticated' });
    expect(await refused(edgeToken)).toMatchObject({
      code: 'unauthenticated',
      details: { reason: 'wrong_token_type' },
    });
    expect(await refused(inviteToken)).toMatchObject({
      code: 'unauthenticated',
      details: { reason: 'wrong_token_type' },
    });

    const table: Array<{ who: StaffRole | 'customer'; event: string; payload: unknown; reason: string }> = [
      ...(['manager', 'compliance', 'ops'] as const).map((who) => ({
        who,
        event: 'presence:set',
        payload: { status: 'available' },
        reason: 'wrong_role',
      })),
      ...(['expert', 'compliance', 'ops'] as const).map((who) => ({
        who,
        event: 'dispatch:request',
        payload: { callId, skill: 'wealth' },
        reason: 'wrong_role',
      })),
      ...(['expert', 'compliance', 'ops'] as const).map((who) => ({
        who,
        event: 'dispatch:cancel',
        payload: { requestId: 'r-1' },
        reason: 'wrong_role',
      })),
      ...(['manager', 'compliance', 'ops'] as const).map((who) => ({
        who,
        event: 'dispatch:accept',
        payload: { requestId: 'r-1' },
        reason: 'wrong_role',
      })),
      ...(['manager', 'compliance', 'ops'] as const).map((who) => ({
        who,
        event: 'dispatch:decline',
        payload: { requestId: 'r-1' },
        reason: 'wrong_role',
      })),
      ...(['manager', 'expert', 'compliance'] as const).map((who) => ({
        who,
        event: 'dashboard:subscribe',
        payload: { scope: 'ops' },
        reason: 'wrong_role',
      })),
      ...(['manager', 'expert'] as const).map((who) => ({
        who,
        event: 'dashboard:subscribe',
        payload: { scope: 'compliance' },
        reason: 'wrong_role',
      })),
      {
        who: 'expert',
        event: 'dashboard:subscribe',
        payload: { scope: 'branch', id: 'b-sec' },
        reason: 'wrong_role',
      },
      ...ROLES.map((who) => ({
        who,
        event: 'call:signal',
        payload: { callId, request: { method: 'getRouterRtpCapabilities' } },
        reason: 'not_joined',
      })),
      { who: 'customer', event: 'presence:set', payload: { status: 'available' }, reason: 'wrong_role' },
      {
        who: 'customer',
        event: 'dispatch:request',
        payload: { callId, skill: 'wealth' },
        reason: 'wrong_role',
      },
      {
        who: 'customer',
        event: 'dashboard:subscribe',
        payload: { scope: 'call', id: callId },
        reason: 'wrong_role',
      },
      { who: 'customer', event: 'dashboard:subscribe', payload: { scope: 'ops' }, reason: 'wrong_role' },
    ];
    const sockets = new Map<string, Awaited<ReturnType<typeof connectClient>>>();
    try {
      for (const who of [...ROLES, 'customer'] as const)
        sockets.set(
          who,
          await connectClient(cloud.url, who === 'customer' ? customerToken : staff[who].accessToken),
        );
      const rows = [];
      for (const t of table) {
        const ack = await request(sockets.get(t.who)!, t.event, t.payload);
        const ok =
          !ack.ok &&
          ack.error.code === 'forbidden' &&
          (ack.error.details as { reason?: string } | undefined)?.reason === t.reason;
        rows.push({ ...t, ack, ok });
      }
      writeFileSync(artifactPath('security-table-socket.json'), JSON.stringify(rows, null, 2));
      expect(rows.filter((r) => !r.ok)).toEqual([]);
    } finally {
      for (const s of sockets.values()) s.close();
    }

    // The edge-link namespace accepts edge tokens only.
    for (const token of [undefined, staff.ops.accessToken, customerToken]) {
      const socket = ioClient(`${cloud.url}/edge`, {
        auth: token ? { token } : {},
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      const outcome = await new Promise<unknown>((resolve) => {
        socket.once('connect', () => resolve('connected'));
        socket.once('connect_error', (e: Error & { data?: unknown }) => resolve(e.data));
      });
      socket.close();
      expect(errorOf(outcome)).toMatchObject({ code: 'unauthenticated' });
    }
  });

  test('an invite can be redeemed once', async () => {
    const inv = await api<{ token: string }>(cloud.url, 'POST', `/api/v1/calls/${callId}/invites`, {
      token: staff.manager.accessToken,
      body: {},
    });
    const first = await api(cloud.url, 'POST', '/api/v1/invites/redeem', { body: { token: inv.body.token } });
    const again = await Promise.all(
      [1, 2, 3].map(() =>
        api(cloud.url, 'POST', '/api/v1/invites/redeem', { body: { token: inv.body.token } }),
      ),
    );
    expect(first.status).toBe(200);
    for (const r of again) {
      expect(r.status).toBe(401);
      expect(errorOf(r.body)?.details?.reason).toBe('invite_used');
    }
  });

  test('helmet security headers on every response; CORS only for configured origins (HTTP and socket.io)', async () => {
    for (const p of ['/healthz', '/api/v1/openapi.json', '/api/v1/calls', '/api/v1/nowhere']) {
      const res = await fetch(cloud.url + p);
      const h = res.headers;
      expect.soft(h.get('content-security-policy'), p).toMatch(/default-src 'self'/);
      expect.soft(h.get('x-content-type-options'), p).toBe('nosniff');
      expect.soft(h.get('x-frame-options'), p).toBe('SAMEORIGIN');
      expect.soft(h.get('strict-transport-security'), p).toMatch(/max-age=\d+/);
      expect.soft(h.get('referrer-policy'), p).toBe('no-referrer');
      expect.soft(h.get('cross-origin-opener-policy'), p).toBe('same-origin');
      expect.soft(h.get('x-powered-by'), p).toBeNull();
    }
    const allowed = await fetch(`${cloud.url}/api/v1/openapi.json`, {
      headers: { origin: 'https://allowed.example' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://allowed.example');
    const other = await fetch(`${cloud.url}/api/v1/openapi.json`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${cloud.url}/api/v1/calls`, {
      method: 'OPTIONS',
      headers: { origin: 'https://allowed.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/i);
    // socket.io's HTTP handshake applies the same origin policy
    const handshake = (origin: string) =>
      fetch(`${cloud.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin } });
    expect((await handshake('https://allowed.example')).headers.get('access-control-allow-origin')).toBe(
      'https://allowed.example',
    );
    expect((await handshake('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('tokens expire', () => {
  let cloud: CloudHandle;
  let edge: ScriptedEdge;
  let key: string;

  beforeAll(async () => {
    const prefix = uniquePrefix('secttl');
    key = await seedBranchWithEdge(redisUrl, prefix, 'b-ttl', 'e-ttl');
    await seedStaff(prefix, 'b-ttl');
    cloud = await startCloud({
      redisUrl,
      prefix,
      env: { ACCESS_TOKEN_TTL_S: '5', CUSTOMER_TOKEN_TTL_S: '5', EDGE_TOKEN_TTL_S: '5' },
    });
    edge = new ScriptedEdge({ cloudUrl: cloud.url, edgeId: 'e-ttl', branchId: 'b-ttl', key });
    await edge.start();
  });
  afterAll(async () => {
    edge?.stop();
    await cloud?.stop();
  });

  test('staff, customer and edge tokens stop working at their expiry, over HTTP and on open sockets', async () => {
    const mgr = await login(cloud.url, 'manager', PASSWORDS.manager);
    const call = await api<Call>(cloud.url, 'POST', '/api/v1/calls', {
      token: mgr.accessToken,
      body: { allowRemoteCustomer: true },
    });
    expect(call.status).toBe(201);
    const inv = await api<{ token: string }>(cloud.url, 'POST', `/api/v1/calls/${call.body.id}/invites`, {
      token: mgr.accessToken,
      body: {},
    });
    const customer = await api<{ token: string }>(cloud.url, 'POST', '/api/v1/invites/redeem', {
      body: { token: inv.body.token },
    });
    const edgeAuth = await api<{ token: string }>(cloud.url, 'POST', '/api/v1/edges/auth', {
      body: { edgeId: 'e-ttl', key },
    });
    expect(edgeAuth.status).toBe(200);
    const socket = await connectClient(cloud.url, mgr.accessToken);
    try {
      expect((await api(cloud.url, 'GET', '/api/v1/auth/me', { token: mgr.accessToken })).status).toBe(200);
      expect(
        (await api(cloud.url, 'GET', `/api/v1/calls/${call.body.id}`, { token: customer.body.token })).status,
      ).toBe(200);
      expect((await request(socket, 'dashboard:subscribe', { scope: 'branch', id: 'b-ttl' })).ok).toBe(true);
      const decoded = jwt.decode(mgr.accessToken) as { exp: number };
      await new Promise((r) => setTimeout(r, Math.max(0, decoded.exp * 1000 - Date.now()) + 1200));
      const staffAfter = await api(cloud.url, 'GET', '/api/v1/auth/me', { token: mgr.accessToken });
      expect(staffAfter.status).toBe(401);
      expect(errorOf(staffAfter.body)?.details?.reason).toBe('expired');
      const customerAfter = await api(cloud.url, 'GET', `/api/v1/calls/${call.body.id}`, {
        token: customer.body.token,
      });
      expect(errorOf(customerAfter.body)?.details?.reason).toBe('expired');
      const onSocket = await request(socket, 'dashboard:subscribe', { scope: 'branch', id: 'b-ttl' });
      expect(onSocket).toMatchObject({
        ok: false,
        error: { code: 'unauthenticated', details: { reason: 'expired' } },
      });
      {
        const edgeSocket = ioClient(`${cloud.url}/edge`, {
          auth: { token: edgeAuth.body.token },
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
        });
        const outcome = await new Promise<unknown>((resolve) => {
          edgeSocket.once('connect', () => resolve('connected'));
          edgeSocket.once('connect_error', (e: Error & { data?: unknown }) => resolve(e.data));
        });
        edgeSocket.close();
        expect(errorOf(outcome)).toMatchObject({ code: 'unauthenticated', details: { reason: 'expired' } });
      }
    } finally {
      socket.close();
    }
  });
});

describe('media is DTLS-SRTP only', () => {
  let edge: TestEdge;
  const transports: types.Transport[] = [];
  const ingress = new Map<string, number>(); // transport type → producers created on it
  // A routable address for the media port when the machine has one, as a branch edge would.
  const publicIp =
    Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a?.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1';

  beforeAll(async () => {
    edge = await startTestEdge({ RTC_LISTEN_IP: publicIp, RECORDING_ENABLED: '1' }); // its recorder transports are checked too
    const worker = edge.edge.pool.workers[0]!.worker;
    worker.observer.on('newrouter', (router: types.Router) =>
      router.observer.on('newtransport', (t: types.Transport) => {
        transports.push(t);
        t.observer.on('newproducer', () => ingress.set(t.type, (ingress.get(t.type) ?? 0) + 1));
      }),
    );
  });
  afterAll(async () => {
    await edge?.stop();
  });

  test('transports are WebRTC (ICE + DTLS) on the WebRtcServer port only; plain RTP sent there reaches nothing', async () => {
    const token = (sub: string, role: 'manager' | 'customer') =>
      edge.keys.mint('edge-test', {
        sub,
        callId: 'call-sec-media',
        role,
        branchId: 'branch-test',
        name: sub,
      });
    const mgr = await SignalClient.connect(edge.url, token('mgr-sec', 'manager'));
    const cust = await SignalClient.connect(edge.url, token('cust-sec', 'customer'));
    try {
      const { rtpCapabilities } = await mgr.request<{ rtpCapabilities: unknown }>('getRouterRtpCapabilities');
      const send = await mgr.request<{
        id: string;
        iceCandidates: Array<{ port: number; protocol: string; address: string }>;
        dtlsParameters: { role: string; fingerprints: Array<{ algorithm: string; value: string }> };
        iceParameters: { usernameFragment: string; password: string };
      }>('createWebRtcTransport', { direction: 'send' });
      await mgr.request('join', { displayName: 'M', rtpCapabilities });
      await cust.request('createWebRtcTransport', { direction: 'recv' });
      await cust.request('join', { displayName: 'C', rtpCapabilities });
      const { producerId } = await mgr.request<{ producerId: string }>('produce', {
        transportId: send.id,
        kind: 'audio',
        source: 'mic',
        rtpParameters: {
          codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
          encodings: [{ ssrc: 777 }],
          rtcp: { cname: 'm' },
        },
      });
      expect(
        send.dtlsParameters.fingerprints.some(
          (f) => f.algorithm === 'sha-256' && /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/.test(f.value),
        ),
      ).toBe(true);
      expect(send.iceParameters.password.length).toBeGreaterThanOrEqual(22);
      const server = await edge.edge.pool.workers[0]!.webRtcServer.dump();
      const serverPorts = new Set([
        ...server.udpSockets.map((s) => s.port),
        ...server.tcpServers.map((s) => s.port),
      ]);
      expect(send.iceCandidates.length).toBeGreaterThan(0);
      for (const c of send.iceCandidates) expect(serverPorts.has(c.port)).toBe(true);
      // Media enters only through WebRTC transports; the only other network transports are the
      // recorder's PlainTransports to ffmpeg: send-only, on loopback, never on the public port.
      await expect.poll(() => transports.some((t) => t.type === 'plain'), { timeout: 15_000 }).toBe(true);
      expect([...ingress.keys()]).toEqual(['webrtc']);
      for (const t of transports.filter((t) => t.type === 'plain') as types.PlainTransport[]) {
        expect(t.tuple.localAddress).toBe('127.0.0.1');
        expect(serverPorts.has(t.tuple.localPort)).toBe(false);
      }
      expect(
        transports.filter((t) => !['webrtc', 'plain', 'direct'].includes(t.type)).map((t) => t.type),
      ).toEqual([]);

      // On a non-loopback address the worker listens on its WebRtcServer port and nothing else.
      const pid = edge.edge.pool.workers[0]!.worker.pid!;
      const sockets = execFileSync('ss', ['-Hulpn'], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes(`pid=${pid},`))
        .map((l) => {
          const local = l.trim().split(/\s+/)[3] ?? '';
          const at = local.lastIndexOf(':');
          return { address: local.slice(0, at), port: Number(local.slice(at + 1)) };
        });
      expect(sockets.length).toBeGreaterThan(0);
      for (const s of sockets.filter((s) => s.address !== '127.0.0.1'))
        expect(serverPorts.has(s.port)).toBe(true);
      if (publicIp !== '127.0.0.1')
        expect(sockets.filter((s) => s.address === publicIp).map((s) => s.port)).toEqual([
          ...server.udpSockets.map((u) => u.port),
        ]);

      // Plain RTP with the producer's SSRC, straight at the media port, is dropped (no ICE, no SRTP).
      const udpPort = server.udpSockets[0]!.port;
      const sock = dgram.createSocket('udp4');
      const rtp = Buffer.alloc(60);
      rtp[0] = 0x80;
      rtp[1] = 100;
      rtp.writeUInt32BE(777, 8);
      for (let i = 0; i < 50; i++) {
        rtp.writeUInt16BE(i, 2);
        sock.send(rtp, udpPort, publicIp);
      }
      await new Promise((r) => setTimeout(r, 300));
      sock.close();
      const producer = [
        ...edge.edge.calls.get('call-sec-media')!.room!.peers.get('mgr-sec')!.producers.values(),
      ].find((p) => p.id === producerId)!;
      const stats = await producer.getStats();
      expect(stats.reduce((n, s) => n + s.packetCount, 0)).toBe(0);
    } finally {
      mgr.close();
      cust.close();
    }
  });
});

describe("the edge's lobby endpoints", () => {
  const ADMIN = 'lobby-admin-secret-0123456789';
  let edge: TestEdge;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sec-lobby-'));
    const lobbyFile = path.join(dir, 'lobby.json');
    writeFileSync(
      lobbyFile,
      JSON.stringify({
        cameras: [{ id: 'hall', source: { kind: 'file', path: await renderScriptedLobby() } }],
      }),
    );
    edge = await startTestEdge({ LOBBY_CONFIG_FILE: lobbyFile, LOBBY_ADMIN_TOKEN: ADMIN });
  });
  afterAll(async () => {
    await edge?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('every lobby route refuses missing, malformed, forged, expired, mis-addressed and wrong-kind tokens, other branches and missing scopes', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = (scope: LobbyAccessClaims['scope'], branchId = 'branch-test'): LobbyAccessClaims => ({
      typ: 'lobby-access',
      sub: 'u-sec',
      branchId,
      scope,
    });
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const read = edge.keys.mintLobby('edge-test', claims(['read']));
    const staffScope = edge.keys.mintLobby('edge-test', claims(['read', 'staff']));
    const routes = [
      { method: 'GET', path: '/lobby', scope: 'read' },
      { method: 'GET', path: '/lobby/cameras/hall/heatmap.png', scope: 'read' },
      { method: 'GET', path: '/lobby/cameras/hall/heatmap.json', scope: 'read' },
      { method: 'PUT', path: '/lobby/staff', scope: 'staff' },
    ] as const;
    type Row = {
      name: string;
      header?: string;
      status: (route: (typeof routes)[number]) => number;
      reason?: string;
    };
    const bearer = (t: string) => `Bearer ${t}`;
    const refusals: Row[] = [
      { name: 'no credentials', status: () => 401, reason: 'missing' },
      {
        name: 'basic auth',
        header: `Basic ${Buffer.from(`admin:${ADMIN}`).toString('base64')}`,
        status: () => 401,
        reason: 'missing',
      },
      { name: 'malformed', header: bearer('not.a.jwt'), status: () => 401, reason: 'invalid' },
      {
        name: 'wrong branch secret',
        header: bearer(ADMIN.replace(/.$/, 'X')),
        status: () => 401,
        reason: 'invalid',
      },
      {
        name: 'forged signature',
        header: bearer(edge.keys.mintLobby('edge-test', claims(['read', 'staff']), { privateKey: otherKey })),
        status: () => 401,
        reason: 'invalid',
      },
      {
        name: 'expired',
        header: bearer(edge.keys.mintLobby('edge-test', claims(['read', 'staff']), { expiresInS: -60 })),
        status: () => 401,
        reason: 'expired',
      },
      {
        name: 'alg none',
        header: bearer(
          unsigned({ ...claims(['read', 'staff']), aud: 'edge-lobby:edge-test', iat: now, exp: now + 600 }),
        ),
        status: () => 401,
        reason: 'invalid',
      },
      {
        // the public key used as an HMAC secret (algorithm confusion)
        name: 'HS256 with the public key',
        header: bearer(
          jwt.sign(claims(['read', 'staff']), edge.keys.publicKeyPem, {
            algorithm: 'HS256',
            audience: 'edge-lobby:edge-test',
            expiresIn: 600,
          }),
        ),
        status: () => 401,
        reason: 'invalid',
      },
      {
        name: "a participant's join token",
        header: bearer(
          edge.keys.mint('edge-test', {
            sub: 'p',
            callId: 'c',
            role: 'manager',
            branchId: 'branch-test',
            name: 'M',
          }),
        ),
        status: () => 401,
        reason: 'invalid',
      },
      {
        name: "another edge's lobby token",
        header: bearer(edge.keys.mintLobby('edge-other', claims(['read', 'staff']))),
        status: () => 401,
        reason: 'invalid',
      },
      {
        name: "another branch's lobby token",
        header: bearer(edge.keys.mintLobby('edge-test', claims(['read', 'staff'], 'branch-other'))),
        status: () => 403,
        reason: 'wrong_branch',
      },
      {
        name: 'read scope',
        header: bearer(read),
        status: (r) => (r.scope === 'read' ? 200 : 403),
        reason: 'wrong_scope',
      },
      { name: 'staff scope', header: bearer(staffScope), status: () => 200 },
      { name: 'branch secret', header: bearer(ADMIN), status: () => 200 },
    ];
    const rows = [];
    for (const route of routes) {
      for (const c of refusals) {
        const res = await fetch(`${edge.url}${route.path}`, {
          method: route.method,
          headers: {
            ...(c.header ? { authorization: c.header } : {}),
            ...(route.method === 'PUT' ? { 'content-type': 'application/json' } : {}),
          },
          ...(route.method === 'PUT' ? { body: JSON.stringify({ staffOnDuty: 2 }) } : {}),
        });
        const want = c.status(route);
        const type = res.headers.get('content-type') ?? '';
        const body: unknown = type.includes('json') ? await res.json() : await res.arrayBuffer();
        const ok =
          res.status === want &&
          (want === 200 ||
            (ErrorBody.safeParse(body).success && errorOf(body)?.details?.reason === c.reason));
        rows.push({
          route: `${route.method} ${route.path}`,
          as: c.name,
          status: res.status,
          ...(want !== 200 ? { reason: errorOf(body)?.details?.reason } : {}),
          ok,
        });
      }
    }
    writeFileSync(artifactPath('security-table-edge-lobby.json'), JSON.stringify(rows, null, 2));
    expect(rows.filter((r) => !r.ok)).toEqual([]);
    expect(rows.length).toBe(routes.length * refusals.length);
  });
});

describe('no secret reaches the logs', () => {
  let cloud: ChildService;
  let edgeProc: ChildService;
  const jwtSecret = 'log-scan-secret-7f3a9c1e5b2d8f4a6c0e9b7d5f3a1c8e';
  const callKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const secrets: Record<string, string> = {};

  afterAll(async () => {
    await edgeProc?.stop();
    await cloud?.stop();
  });

  test('a cloud and an edge at debug level, through logins (good and bad passwords), edge auth, invites, join tokens and signaling, never log a secret', async () => {
    const prefix = uniquePrefix('seclog');
    const edgeKey = await seedBranchWithEdge(redisUrl, prefix, 'b-log', 'e-log');
    await seedStaff(prefix, 'b-log');
    cloud = await spawnCloud({
      redisUrl,
      prefix,
      env: { JWT_SECRET: jwtSecret, CALL_TOKEN_KEY: callKey, LOG_LEVEL: 'debug', LOGIN_RATE_MAX: '50' },
    });
    edgeProc = await spawnEdge({
      env: {
        EDGE_ID: 'e-log',
        BRANCH_ID: 'b-log',
        EDGE_KEY: edgeKey,
        CLOUD_URL: cloud.url,
        LOG_LEVEL: 'debug',
        HEARTBEAT_INTERVAL_MS: '200',
      },
    });
    secrets.jwtSecret = jwtSecret;
    secrets.edgeKey = edgeKey;
    for (const line of callKey.split('\n').filter((l) => l && !l.startsWith('-----')))
      secrets[`callKey:${line.slice(0, 8)}`] = line;
    for (const role of ROLES) secrets[`password:${role}`] = PASSWORDS[role];

    // bad logins (the attempted passwords are secrets too) and a good one
    for (const pw of ['wrong-Pa55word-1', 'wrong-Pa55word-2']) {
      secrets[`attempt:${pw}`] = pw;
      expect(
        (await api(cloud.url, 'POST', '/api/v1/auth/login', { body: { username: 'manager', password: pw } }))
          .status,
      ).toBe(401);
    }
    const mgr = await login(cloud.url, 'manager', PASSWORDS.manager);
    secrets.access = mgr.accessToken;
    const refreshed = await api<LoginResponse>(cloud.url, 'POST', '/api/v1/auth/refresh', {
      body: { refreshToken: mgr.refreshToken },
    });
    secrets.refresh = mgr.refreshToken;
    secrets.refreshed = refreshed.body.refreshToken;
    expect(
      (
        await api(cloud.url, 'POST', '/api/v1/edges/auth', {
          body: { edgeId: 'e-log', key: 'not-the-key-123456789' },
        })
      ).status,
    ).toBe(401);
    await expect
      .poll(async () => (await fetch(`${edgeProc.url}/readyz`)).status, { timeout: 20_000 })
      .toBe(200);
    const started = await api<Call>(cloud.url, 'POST', '/api/v1/calls', {
      token: mgr.accessToken,
      body: { allowRemoteCustomer: true },
    });
    expect(started.status).toBe(201);
    const inv = await api<{ token: string }>(cloud.url, 'POST', `/api/v1/calls/${started.body.id}/invites`, {
      token: mgr.accessToken,
      body: {},
    });
    secrets.invite = inv.body.token;
    const customer = await api<{ token: string }>(cloud.url, 'POST', '/api/v1/invites/redeem', {
      body: { token: inv.body.token },
    });
    secrets.customer = customer.body.token;
    const direct = await api<{ edge: { joinToken: string } }>(
      cloud.url,
      'POST',
      `/api/v1/calls/${started.body.id}/join-token`,
      { token: mgr.accessToken },
    );
    secrets.joinToken = direct.body.edge.joinToken;
    const sig = await SignalClient.connect(edgeProc.url, direct.body.edge.joinToken);
    const { rtpCapabilities } = await sig.request<{ rtpCapabilities: unknown }>('getRouterRtpCapabilities');
    await sig.request('join', { displayName: 'Mia', rtpCapabilities });
    await sig.raw({ method: 'join', data: { displayName: 'x'.repeat(100) } });
    sig.close();
    await expect(SignalClient.connect(edgeProc.url, `${direct.body.edge.joinToken}x`)).rejects.toThrow();
    const custSocket = await connectClient(cloud.url, customer.body.token);
    await callAck(custSocket, 'call:join', { callId: started.body.id });
    custSocket.close();
    await new Promise((r) => setTimeout(r, 500));

    const logs = `${cloud.output()}\n${edgeProc.output()}`;
    writeFileSync(artifactPath('security-log-scan.log'), logs);
    expect(logs.length).toBeGreaterThan(1000); // debug logging really ran
    const leaked = Object.entries(secrets)
      .filter(([, v]) => v && logs.includes(v))
      .map(([k]) => k);
    expect(leaked).toEqual([]);
    // JWTs of any kind (three base64url parts starting with eyJ) never appear either
    expect(logs.match(/eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/g) ?? []).toEqual([]);
  });
});
