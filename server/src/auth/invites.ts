// Customer invites: single-use, call-scoped, expiring. The invite is a JWT
// (so a forged or expired one is refused without a lookup) whose id must still
// exist in Redis; redeeming deletes it atomically (GETDEL), so the second use
// fails even if two instances race. Redeeming yields a call-scoped customer token.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Call } from '#protocol/api';
import { AppError } from '#protocol/errors';
import type { RedisClient } from '../redis/client.ts';
import type { Keys } from '../redis/keys.ts';
import { authError, forbidden } from '../errors.ts';
import type { StaffPrincipal, TokenService } from './tokens.ts';

const StoredInvite = z.object({
  callId: z.string(),
  displayName: z.string(),
  createdBy: z.string(),
  expiresAt: z.number(),
});

export class InviteService {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly tokens: TokenService,
    private readonly opts: { publicUrl: () => string; customerTtlS: number },
  ) {}

  async create(manager: StaffPrincipal, call: Call, input: { ttlS: number; displayName: string }) {
    if (manager.branchId !== call.branchId)
      throw forbidden('wrong_branch', 'the call belongs to another branch');
    if (call.status !== 'active') throw new AppError('conflict', 'call has ended', { reason: 'call_ended' });
    if (!call.allowRemoteCustomer)
      throw forbidden('remote_customer_not_allowed', 'this call does not admit remote customers');
    const inviteId = randomUUID();
    const expiresAt = Date.now() + input.ttlS * 1000;
    await this.redis.set(
      this.keys.invite(inviteId),
      JSON.stringify({
        callId: call.id,
        displayName: input.displayName,
        createdBy: manager.userId,
        expiresAt,
      }),
      { PX: input.ttlS * 1000 },
    );
    const token = this.tokens.signInvite({ inviteId, callId: call.id }, input.ttlS);
    const url = `${this.opts.publicUrl()}/join?invite=${encodeURIComponent(token)}`;
    return { inviteId, token, url, expiresAt };
  }

  /** Consumes the invite (once) and returns a customer token for its call. */
  async redeem(token: string, callActive: (callId: string) => Promise<boolean>) {
    const invite = this.tokens.verify(token, ['invite']);
    const raw = await this.redis.getDel(this.keys.invite(invite.inviteId));
    if (!raw) throw authError('invite_used', 'invite already used or revoked');
    const stored = StoredInvite.parse(JSON.parse(raw));
    if (stored.callId !== invite.callId) throw authError('malformed', 'invite does not match its record');
    if (!(await callActive(stored.callId)))
      throw new AppError('conflict', 'call has ended', { reason: 'call_ended' });
    const participantId = `cust-${randomUUID()}`;
    const customerToken = this.tokens.signCustomer(
      { participantId, callId: stored.callId, displayName: stored.displayName },
      this.opts.customerTtlS,
    );
    return {
      token: customerToken,
      callId: stored.callId,
      participantId,
      displayName: stored.displayName,
      expiresInS: this.opts.customerTtlS,
    };
  }
}
