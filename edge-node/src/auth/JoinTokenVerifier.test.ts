import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, test } from 'vitest';
import { AppError } from '#protocol/errors';
import { JoinTokenVerifier } from './JoinTokenVerifier.ts';

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    pub: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    priv: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
const claims = { sub: 'p1', callId: 'c1', role: 'manager', branchId: 'b1' };
const sign = (priv: string, opts: jwt.SignOptions = {}) =>
  jwt.sign(claims, priv, { algorithm: 'ES256', audience: 'edge:e1', expiresIn: 60, ...opts });

describe('JoinTokenVerifier', () => {
  test('accepts a token signed by the configured key and returns its claims', () => {
    const k = keyPair();
    expect(new JoinTokenVerifier('e1', k.pub).verify(sign(k.priv))).toMatchObject(claims);
  });

  test('refuses missing, expired, mis-addressed and foreign tokens as unauthenticated', () => {
    const k = keyPair();
    const v = new JoinTokenVerifier('e1', k.pub);
    const code = (t: unknown) => {
      try {
        v.verify(t);
        return 'accepted';
      } catch (err) {
        return `${(err as AppError).code}: ${(err as AppError).message}`;
      }
    };
    expect(code(undefined)).toBe('unauthenticated: a join token is required');
    expect(code(sign(k.priv, { expiresIn: -5 }))).toBe('unauthenticated: join token expired');
    expect(code(sign(k.priv, { audience: 'edge:other' }))).toMatch(/^unauthenticated: join token rejected/);
    expect(code(sign(keyPair().priv))).toMatch(/^unauthenticated: join token rejected/);
  });

  test('without any key it says the edge is not ready rather than refusing the participant', () => {
    expect(() => new JoinTokenVerifier('e1').verify('x.y.z')).toThrow(
      expect.objectContaining({ code: 'unavailable' }),
    );
  });

  test('after a cloud key rotation, tokens under the previous key still verify; older ones do not', () => {
    const [k1, k2, k3] = [keyPair(), keyPair(), keyPair()];
    const v = new JoinTokenVerifier('e1');
    v.setPublicKey(k1.pub);
    v.setPublicKey(k2.pub);
    expect(v.verify(sign(k1.priv)).sub).toBe('p1');
    v.setPublicKey(k3.pub);
    expect(v.verify(sign(k2.priv)).sub).toBe('p1');
    expect(() => v.verify(sign(k1.priv))).toThrow(AppError);
  });
});

describe('lobby access tokens', () => {
  const lobbyClaims = { typ: 'lobby-access', sub: 'u1', branchId: 'b1', scope: ['read'] };
  const signLobby = (priv: string, opts: jwt.SignOptions = {}, payload: object = lobbyClaims) =>
    jwt.sign(payload, priv, { algorithm: 'ES256', audience: 'edge-lobby:e1', expiresIn: 60, ...opts });
  const reason = (f: () => unknown) => {
    try {
      f();
      return 'accepted';
    } catch (err) {
      const e = err as AppError;
      return `${e.code}/${(e.details as { reason?: string } | undefined)?.reason}`;
    }
  };

  test('a lobby token for this edge verifies; join tokens and lobby tokens never pass as each other', () => {
    const k = keyPair();
    const v = new JoinTokenVerifier('e1', k.pub);
    expect(v.verifyLobbyAccess(signLobby(k.priv))).toEqual(expect.objectContaining(lobbyClaims));
    expect(reason(() => v.verifyLobbyAccess(sign(k.priv)))).toBe('unauthenticated/invalid');
    expect(reason(() => v.verify(signLobby(k.priv)))).toBe('unauthenticated/undefined');
    // right audience, but not a lobby token's claims
    expect(reason(() => v.verifyLobbyAccess(signLobby(k.priv, {}, claims)))).toBe('unauthenticated/invalid');
  });

  test('missing, expired, foreign-key and other-edge lobby tokens are refused with a reason', () => {
    const k = keyPair();
    const v = new JoinTokenVerifier('e1', k.pub);
    expect(reason(() => v.verifyLobbyAccess(undefined))).toBe('unauthenticated/missing');
    expect(reason(() => v.verifyLobbyAccess(signLobby(k.priv, { expiresIn: -5 })))).toBe(
      'unauthenticated/expired',
    );
    expect(reason(() => v.verifyLobbyAccess(signLobby(keyPair().priv)))).toBe('unauthenticated/invalid');
    expect(reason(() => v.verifyLobbyAccess(signLobby(k.priv, { audience: 'edge-lobby:e2' })))).toBe(
      'unauthenticated/invalid',
    );
  });
});
