import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { AppError } from '#protocol/errors';
import { hashPassword, verifyPassword } from '../../../server/src/auth/passwords.ts';
import { TokenService } from '../../../server/src/auth/tokens.ts';

const secret = 'unit-secret-0123456789abcdef0123456789';
const tokens = new TokenService(secret);
const staff = {
  userId: 'u1',
  role: 'manager' as const,
  branchId: 'b1',
  permissions: ['call:start' as const],
  displayName: 'U',
};

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return ((err as AppError).details as { reason: string }).reason;
  }
  return undefined;
}

describe('TokenService', () => {
  it('after a secret rotation, tokens signed with the previous secret verify until they expire; new ones use the new secret', () => {
    const rotated = new TokenService('rotated-secret-0123456789abcdef01234567', secret);
    const old = tokens.signStaff(staff, 60);
    expect(rotated.verify(old, ['staff'])).toMatchObject({ kind: 'staff', userId: 'u1' });
    expect(reasonOf(() => tokens.verify(rotated.signStaff(staff, 60), ['staff']))).toBe('invalid_signature');
    const stranger = new TokenService('stranger-secret-0123456789abcdef01234567');
    expect(reasonOf(() => rotated.verify(stranger.signStaff(staff, 60), ['staff']))).toBe(
      'invalid_signature',
    );
  });

  it('round-trips each kind of principal', () => {
    expect(tokens.verify(tokens.signStaff(staff, 60), ['staff'])).toMatchObject({
      kind: 'staff',
      userId: 'u1',
      branchId: 'b1',
    });
    expect(
      tokens.verify(tokens.signEdge({ edgeId: 'e', branchId: 'b', keyVersion: 3 }, 60), ['edge']),
    ).toMatchObject({ keyVersion: 3 });
    expect(
      tokens.verify(tokens.signCustomer({ participantId: 'p', callId: 'c', displayName: 'C' }, 60), [
        'customer',
      ]),
    ).toMatchObject({ callId: 'c' });
  });

  it('refuses a token of another kind', () => {
    expect(
      reasonOf(() =>
        tokens.verify(tokens.signEdge({ edgeId: 'e', branchId: 'b', keyVersion: 1 }, 60), ['staff']),
      ),
    ).toBe('wrong_token_type');
    expect(
      reasonOf(() =>
        tokens.verify(tokens.signInvite({ inviteId: 'i', callId: 'c' }, 60), ['staff', 'customer']),
      ),
    ).toBe('wrong_token_type');
  });

  it('distinguishes missing, expired, forged and malformed tokens', () => {
    expect(reasonOf(() => tokens.verify(undefined, ['staff']))).toBe('missing');
    const past = Math.floor(Date.now() / 1000) - 100;
    const expired = jwt.sign(
      { typ: 'staff', sub: 'u', role: 'ops', perms: [], name: 'x', iat: past, exp: past + 1 },
      secret,
      { issuer: 'branchedge-cloud' },
    );
    expect(reasonOf(() => tokens.verify(expired, ['staff']))).toBe('expired');
    const forged = new TokenService('another-secret-0123456789abcdef0123').signStaff(staff, 60);
    expect(reasonOf(() => tokens.verify(forged, ['staff']))).toBe('invalid_signature');
    expect(reasonOf(() => tokens.verify('not.a.jwt', ['staff']))).toBe('malformed');
    // `alg: none` is never accepted.
    const none = jwt.sign({ typ: 'staff', sub: 'u' }, '', {
      algorithm: 'none',
      issuer: 'branchedge-cloud',
    } as jwt.SignOptions);
    expect(reasonOf(() => tokens.verify(none, ['staff']))).toBeDefined();
  });
});

describe('passwords', () => {
  it('verifies the right password and rejects others', async () => {
    const h = await hashPassword('correct horse');
    expect(h).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('correct horse', h)).toBe(true);
    expect(await verifyPassword('correct hors', h)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
    expect(await hashPassword('correct horse')).not.toBe(h);
  });
});
