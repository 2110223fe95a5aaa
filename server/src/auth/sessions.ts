// Staff login, refresh and logout. Access tokens are short JWTs; refresh tokens
// are opaque, stored hashed in Redis, single-use (GETDEL) and rotated on every refresh.
import { createHash, randomBytes } from 'node:crypto';
import type { LoginResponse } from '#protocol/api';
import type { RedisClient } from '../redis/client.ts';
import type { Keys } from '../redis/keys.ts';
import { authError } from '../errors.ts';
import { DUMMY_HASH_PROMISE, verifyPassword } from './passwords.ts';
import { toProfile, type StaffRecord, type StaffStore } from './staff-store.ts';
import type { TokenService } from './tokens.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');

export class SessionService {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly staff: StaffStore,
    private readonly tokens: TokenService,
    private readonly ttl: { accessS: number; refreshS: number },
  ) {}

  async login(username: string, password: string): Promise<LoginResponse> {
    const record = await this.staff.get(username);
    // Same work whether or not the account exists: no user enumeration by timing.
    const ok = await verifyPassword(password, record?.passwordHash ?? (await DUMMY_HASH_PROMISE));
    if (!record || !ok) throw authError('bad_credentials', 'wrong username or password');
    if (record.disabled) throw authError('disabled', 'account disabled');
    return this.issue(record);
  }

  async refresh(refreshToken: string): Promise<LoginResponse> {
    const userId = await this.redis.getDel(this.keys.refresh(sha256(refreshToken)));
    if (!userId) throw authError('refresh_invalid', 'refresh token unknown, used or expired');
    const record = await this.staff.get(userId);
    if (!record || record.disabled) throw authError('disabled', 'account missing or disabled');
    return this.issue(record);
  }

  async logout(refreshToken: string): Promise<void> {
    await this.redis.del(this.keys.refresh(sha256(refreshToken)));
  }

  private async issue(record: StaffRecord): Promise<LoginResponse> {
    const user = toProfile(record);
    const accessToken = this.tokens.signStaff(
      {
        userId: user.id,
        role: user.role,
        branchId: user.branchId,
        permissions: user.permissions,
        displayName: user.displayName,
      },
      this.ttl.accessS,
    );
    const refreshToken = randomBytes(32).toString('base64url');
    await this.redis.set(this.keys.refresh(sha256(refreshToken)), user.id, { EX: this.ttl.refreshS });
    return { accessToken, refreshToken, expiresInS: this.ttl.accessS, user };
  }
}
