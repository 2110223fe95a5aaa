// Tokens against a real cloud + Redis: every kind of bad token is refused with
// a clear error code and reason, over HTTP and on socket.io connections.
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Call, LoginResponse } from '#protocol/api';
import type { CallJoinInfo } from '#protocol/control';
import {
  api,
  call,
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

const redisUrl = inject('redisUrl');
let cloud: CloudHandle;
let edge: ScriptedEdge;
let edgeKey: string;
let manager: LoginResponse;
let expert: LoginResponse;

const errorOf = (r: { body: unknown }) =>
  (r.body as { error: { code: string; details?: { reason?: string } } }).error;

beforeAll(async () => {
  const prefix = uniquePrefix('auth');
  edgeKey = await seedBranchWithEdge(redisUrl, prefix, 'b1', 'e1');
  await withServices(redisUrl, prefix, async (s) => {
    await s.branches.upsert('b2', { name: 'other', lat: 1, lon: 1 });
    await s.staff.create({
      username: 'mgr',
      password: 'manager-pass',
      displayName: 'M',
      role: 'manager',
      branchId: 'b1',
    });
    await s.staff.create({
      username: 'mgr2',
      password: 'manager-pass',
      displayName: 'M2',
      role: 'manager',
      branchId: 'b2',
    });
    await s.staff.create({
      username: 'exp',
      password: 'expert-pass',
      displayName: 'E',
      role: 'expert',
      skills: ['wealth'],
    });
    await s.staff.create({ username: 'ops', password: 'ops-pass-123', displayName: 'O', role: 'ops' });
    await s.staff.create({ username: 'limited', password: 'limited-pass', displayName: 'L', role: 'expert' });
  });
  cloud = await startCloud({ redisUrl, prefix, env: { LOGIN_RATE_MAX: '3', RATE_WINDOW_S: '60' } });
  edge = new ScriptedEdge({ cloudUrl: cloud.url, edgeId: 'e1', branchId: 'b1', key: edgeKey });
  await edge.start();
  manager = await login(cloud.url, 'mgr', 'manager-pass');
  expert = await login(cloud.url, 'exp', 'expert-pass');
});

afterAll(async () => {
  edge?.stop();
  await cloud?.stop();
});

describe('staff login and tokens', () => {
  it('login returns a short-lived JWT carrying role, branch and permissions', async () => {
    expect(manager.expiresInS).toBeLessThanOrEqual(900);
    const claims = jwt.decode(manager.accessToken) as Record<string, unknown>;
    expect(claims).toMatchObject({ typ: 'staff', sub: 'mgr', role: 'manager', branchId: 'b1' });
    expect(claims.perms).toContain('call:start');
    expect((claims.exp as number) - (claims.iat as number)).toBeLessThanOrEqual(900);
    const me = await api(cloud.url, 'GET', '/api/v1/auth/me', { token: manager.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: 'mgr', role: 'manager' });
  });

  it('a wrong password is refused without saying whether the user exists', async () => {
    const wrong = await api(cloud.url, 'POST', '/api/v1/auth/login', {
      body: { username: 'exp', password: 'nope-nope' },
    });
    const unknown = await api(cloud.url, 'POST', '/api/v1/auth/login', {
      body: { username: 'ghost', password: 'nope-nope' },
    });
    expect(wrong.status).toBe(401);
    expect(errorOf(wrong)).toEqual(errorOf(unknown));
  });

  it('refresh tokens are single-use and rotate', async () => {
    const first = await login(cloud.url, 'exp', 'expert-pass');
    const r1 = await api<LoginResponse>(cloud.url, 'POST', '/api/v1/auth/refresh', {
      body: { refreshToken: first.refreshToken },
    });
    expect(r1.status).toBe(200);
    expect(r1.body.refreshToken).not.toBe(first.refreshToken);
    const again = await api(cloud.url, 'POST', '/api/v1/auth/refresh', {
      body: { refreshToken: first.refreshToken },
    });
    expect(again.status).toBe(401);
    expect(errorOf(again).details?.reason).toBe('refresh_invalid');
  });

  it('an expired token is refused over HTTP and on socket connect', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = jwt.sign(
      {
        typ: 'staff',
        sub: 'mgr',
        role: 'manager',
        branchId: 'b1',
        perms: ['call:start'],
        name: 'M',
        iat: now - 1000,
        exp: now - 10,
      },
      TEST_JWT_SECRET,
      { issuer: 'branchedge-cloud' },
    );
    const res = await api(cloud.url, 'GET', '/api/v1/auth/me', { token: expired });
    expect(res.status).toBe(401);
    expect(errorOf(res)).toMatchObject({ code: 'unauthenticated', details: { reason: 'expired' } });
    const err = await connectClient(cloud.url, expired).then(
      () => undefined,
      (e: { data?: { error: { details: { reason: string } } } }) => e,
    );
    expect(err?.data?.error.details.reason).toBe('expired');
  });

  it('a token with a forged signature is refused', async () => {
    const forged = jwt.sign(
      { typ: 'staff', sub: 'ops', role: 'ops', perms: ['staff:manage', 'edge:manage'], name: 'evil' },
      'not-the-secret-not-the-secret-not-the-secret',
      { issuer: 'branchedge-cloud', expiresIn: 600 },
    );
    const res = await api(cloud.url, 'GET', '/api/v1/staff', { token: forged });
    expect(res.status).toBe(401);
    expect(errorOf(res).details?.reason).toBe('invalid_signature');
    // Tampering with the payload of a genuine token breaks the signature too.
    const [h, , sig] = manager.accessToken.split('.');
    const body = Buffer.from(
      JSON.stringify({ ...(jwt.decode(manager.accessToken) as object), role: 'ops' }),
    ).toString('base64url');
    const tampered = await api(cloud.url, 'GET', '/api/v1/auth/me', { token: `${h}.${body}.${sig}` });
    expect(tampered.status).toBe(401);
    const sockErr = await connectClient(cloud.url, forged).then(
      () => undefined,
      (e: { data?: { error: { code: string } } }) => e,
    );
    expect(sockErr?.data?.error.code).toBe('unauthenticated');
  });

  it('a valid token of the wrong role is refused with forbidden', async () => {
    const res = await api(cloud.url, 'POST', '/api/v1/calls', { token: expert.accessToken, body: {} });
    expect(res.status).toBe(403);
    expect(errorOf(res)).toMatchObject({ code: 'forbidden', details: { reason: 'wrong_role' } });
    const staffList = await api(cloud.url, 'GET', '/api/v1/staff', { token: manager.accessToken });
    expect(staffList.status).toBe(403);
    // An edge token is not a staff token, whatever it claims.
    const edgeAuth = await api<{ token: string }>(cloud.url, 'POST', '/api/v1/edges/auth', {
      body: { edgeId: 'e1', key: edgeKey },
    });
    const asStaff = await api(cloud.url, 'GET', '/api/v1/auth/me', { token: edgeAuth.body.token });
    expect(asStaff.status).toBe(401);
    expect(errorOf(asStaff).details?.reason).toBe('wrong_token_type');
    // An expert socket cannot request dispatch.
    const sock = await connectClient(cloud.url, expert.accessToken);
    const ack = await request(sock, 'dispatch:request', { callId: 'x', skill: 'wealth' });
    sock.close();
    expect(ack.ok).toBe(false);
    if (!ack.ok) expect(ack.error.code).toBe('forbidden');
  });

  it('login is rate-limited per username', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (
          await api(cloud.url, 'POST', '/api/v1/auth/login', {
            body: { username: 'limited', password: 'wrong-wrong' },
          })
        ).status,
      );
    }
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    const res = await fetch(`${cloud.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'limited', password: 'limited-pass' }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('customer invites', () => {
  let callA: Call;
  let callB: Call;

  beforeAll(async () => {
    callA = (
      await api<Call>(cloud.url, 'POST', '/api/v1/calls', {
        token: manager.accessToken,
        body: { allowRemoteCustomer: true },
      })
    ).body;
    callB = (
      await api<Call>(cloud.url, 'POST', '/api/v1/calls', {
        token: manager.accessToken,
        body: { allowRemoteCustomer: true },
      })
    ).body;
  });

  it('an invite is single-use: the second redeem is refused', async () => {
    const inv = await api<{ token: string; url: string }>(
      cloud.url,
      'POST',
      `/api/v1/calls/${callA.id}/invites`,
      { token: manager.accessToken, body: {} },
    );
    expect(inv.status).toBe(201);
    expect(inv.body.url).toContain('/join?invite=');
    const first = await api<{ token: string; callId: string }>(cloud.url, 'POST', '/api/v1/invites/redeem', {
      body: { token: inv.body.token },
    });
    expect(first.status).toBe(200);
    expect(first.body.callId).toBe(callA.id);
    const second = await api(cloud.url, 'POST', '/api/v1/invites/redeem', {
      body: { token: inv.body.token },
    });
    expect(second.status).toBe(401);
    expect(errorOf(second).details?.reason).toBe('invite_used');
  });

  it('a customer token works for its call and is refused for another call', async () => {
    const inv = await api<{ token: string }>(cloud.url, 'POST', `/api/v1/calls/${callA.id}/invites`, {
      token: manager.accessToken,
      body: { displayName: 'Ann' },
    });
    const redeemed = await api<{ token: string }>(cloud.url, 'POST', '/api/v1/invites/redeem', {
      body: { token: inv.body.token },
    });
    const sock = await connectClient(cloud.url, redeemed.body.token);
    try {
      const wrong = await request(sock, 'call:join', { callId: callB.id });
      expect(wrong.ok).toBe(false);
      if (!wrong.ok)
        expect(wrong.error).toMatchObject({ code: 'forbidden', details: { reason: 'wrong_call' } });
      const httpWrong = await api(cloud.url, 'GET', `/api/v1/calls/${callB.id}`, {
        token: redeemed.body.token,
      });
      expect(httpWrong.status).toBe(403);
      const joined = await call<CallJoinInfo>(sock, 'call:join', { callId: callA.id });
      expect(joined).toMatchObject({ callId: callA.id, role: 'customer', edge: { edgeId: 'e1' } });
      // The join token for the edge's own signaling verifies with the key the edge got in its hello ack,
      // carries the call and role, and is addressed to this edge only.
      const claims = jwt.verify(joined.edge.joinToken, edge.callTokenPublicKey!, {
        algorithms: ['ES256'],
        audience: 'edge:e1',
      });
      expect(claims).toMatchObject({
        sub: joined.participantId,
        callId: callA.id,
        role: 'customer',
        branchId: 'b1',
        name: 'Ann',
      });
      expect(() =>
        jwt.verify(joined.edge.joinToken, edge.callTokenPublicKey!, {
          algorithms: ['ES256'],
          audience: 'edge:e2',
        }),
      ).toThrow();
      expect(() => jwt.verify(joined.edge.joinToken, TEST_JWT_SECRET)).toThrow();
      const direct = await api<{ edge: { joinToken: string } }>(
        cloud.url,
        'POST',
        `/api/v1/calls/${callB.id}/join-token`,
        { token: redeemed.body.token },
      );
      expect(direct.status).toBe(403);
    } finally {
      sock.close();
    }
  });

  it('an invite token is not a session token, and an expired invite is refused', async () => {
    const inv = await api<{ token: string }>(cloud.url, 'POST', `/api/v1/calls/${callA.id}/invites`, {
      token: manager.accessToken,
      body: {},
    });
    const err = await connectClient(cloud.url, inv.body.token).then(
      () => undefined,
      (e: { data?: { error: { details: { reason: string } } } }) => e,
    );
    expect(err?.data?.error.details.reason).toBe('wrong_token_type');
    const now = Math.floor(Date.now() / 1000);
    const expired = jwt.sign(
      { typ: 'invite', jti: 'x', callId: callA.id, iat: now - 100, exp: now - 1 },
      TEST_JWT_SECRET,
      { issuer: 'branchedge-cloud' },
    );
    const res = await api(cloud.url, 'POST', '/api/v1/invites/redeem', { body: { token: expired } });
    expect(res.status).toBe(401);
    expect(errorOf(res).details?.reason).toBe('expired');
  });

  it('the branch manager gets a direct join token for the edge; a manager of another branch does not', async () => {
    const mine = await api<{ role: string; edge: { joinToken: string; publicUrl: string } }>(
      cloud.url,
      'POST',
      `/api/v1/calls/${callA.id}/join-token`,
      {
        token: manager.accessToken,
      },
    );
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ role: 'manager', edge: { publicUrl: 'https://e1.example:4443' } });
    expect(
      jwt.verify(mine.body.edge.joinToken, edge.callTokenPublicKey!, { audience: 'edge:e1' }),
    ).toMatchObject({ role: 'manager', callId: callA.id });
    const other = await login(cloud.url, 'mgr2', 'manager-pass');
    const theirs = await api(cloud.url, 'POST', `/api/v1/calls/${callA.id}/join-token`, {
      token: other.accessToken,
    });
    expect(theirs.status).toBe(403);
  });

  it('a manager of another branch cannot invite to this call', async () => {
    const other = await login(cloud.url, 'mgr2', 'manager-pass');
    const res = await api(cloud.url, 'POST', `/api/v1/calls/${callA.id}/invites`, {
      token: other.accessToken,
      body: {},
    });
    expect(res.status).toBe(403);
    expect(errorOf(res).details?.reason).toBe('wrong_branch');
  });
});

describe('edge credentials', () => {
  it('rotating an edge key invalidates the old key and the edge JWTs issued under it', async () => {
    const ops = await login(cloud.url, 'ops', 'ops-pass-123');
    const reg = await api<{ key: string }>(cloud.url, 'POST', '/api/v1/edges', {
      token: ops.accessToken,
      body: { edgeId: 'e-rot', branchId: 'b1' },
    });
    expect(reg.status).toBe(201);
    const oldJwt = await api<{ token: string }>(cloud.url, 'POST', '/api/v1/edges/auth', {
      body: { edgeId: 'e-rot', key: reg.body.key },
    });
    expect(oldJwt.status).toBe(200);
    const rot = await api<{ key: string }>(cloud.url, 'POST', '/api/v1/edges/e-rot/rotate-key', {
      token: ops.accessToken,
    });
    expect(rot.status).toBe(200);
    const withOld = await api(cloud.url, 'POST', '/api/v1/edges/auth', {
      body: { edgeId: 'e-rot', key: reg.body.key },
    });
    expect(withOld.status).toBe(401);
    const withNew = await api(cloud.url, 'POST', '/api/v1/edges/auth', {
      body: { edgeId: 'e-rot', key: rot.body.key },
    });
    expect(withNew.status).toBe(200);
    const stale = new ScriptedEdge({
      cloudUrl: cloud.url,
      edgeId: 'e-rot',
      branchId: 'b1',
      key: rot.body.key,
    });
    const { io } = await import('socket.io-client');
    const s = io(`${cloud.url}/edge`, {
      auth: { token: oldJwt.body.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    const err = await new Promise<{ data?: { error: { details: { reason: string } } } }>((resolve) =>
      s.once('connect_error', resolve),
    );
    s.close();
    expect(err.data?.error.details.reason).toBe('key_rotated');
    await stale.start();
    stale.stop();
  });
});
