// JWTs for the four kinds of principal. Each carries a `typ` claim, checked on
// verify, so an edge token can never pass as a staff token, an invite can never
// pass as a session, and so on. HS256 with one secret shared by all instances.
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { Permission } from '#protocol/api';
import { StaffRole } from '#protocol/roles';
import { authError } from '../errors.ts';

const ISSUER = 'branchedge-cloud';

const StaffClaims = z.object({
  typ: z.literal('staff'),
  sub: z.string(),
  role: StaffRole,
  branchId: z.string().optional(),
  perms: z.array(Permission),
  name: z.string(),
  exp: z.number(),
});
const EdgeClaims = z.object({
  typ: z.literal('edge'),
  sub: z.string(),
  branchId: z.string(),
  kv: z.number(),
  exp: z.number(),
});
const CustomerClaims = z.object({
  typ: z.literal('customer'),
  sub: z.string(),
  callId: z.string(),
  name: z.string(),
  exp: z.number(),
});
const InviteClaims = z.object({
  typ: z.literal('invite'),
  jti: z.string(),
  callId: z.string(),
  exp: z.number(),
});
const AnyClaims = z.discriminatedUnion('typ', [StaffClaims, EdgeClaims, CustomerClaims, InviteClaims]);

export type StaffPrincipal = {
  kind: 'staff';
  userId: string;
  role: StaffRole;
  branchId: string | undefined;
  permissions: Permission[];
  displayName: string;
  expiresAt: number;
};
export type EdgePrincipal = {
  kind: 'edge';
  edgeId: string;
  branchId: string;
  keyVersion: number;
  expiresAt: number;
};
export type CustomerPrincipal = {
  kind: 'customer';
  participantId: string;
  callId: string;
  displayName: string;
  expiresAt: number;
};
export type InvitePrincipal = { kind: 'invite'; inviteId: string; callId: string; expiresAt: number };
export type Principal = StaffPrincipal | EdgePrincipal | CustomerPrincipal | InvitePrincipal;
type Kind = Principal['kind'];
type Of<K extends Kind> = Extract<Principal, { kind: K }>;

export class TokenService {
  constructor(
    private readonly secret: string,
    /** Verifies (never signs) tokens issued before a secret rotation. */
    private readonly previousSecret?: string,
  ) {}

  private sign(claims: Record<string, unknown>, ttlS: number): string {
    return jwt.sign(claims, this.secret, { algorithm: 'HS256', expiresIn: ttlS, issuer: ISSUER });
  }

  signStaff(p: Omit<StaffPrincipal, 'kind' | 'expiresAt'>, ttlS: number): string {
    return this.sign(
      {
        typ: 'staff',
        sub: p.userId,
        role: p.role,
        branchId: p.branchId,
        perms: p.permissions,
        name: p.displayName,
      },
      ttlS,
    );
  }

  signEdge(p: Omit<EdgePrincipal, 'kind' | 'expiresAt'>, ttlS: number): string {
    return this.sign({ typ: 'edge', sub: p.edgeId, branchId: p.branchId, kv: p.keyVersion }, ttlS);
  }

  signCustomer(p: Omit<CustomerPrincipal, 'kind' | 'expiresAt'>, ttlS: number): string {
    return this.sign({ typ: 'customer', sub: p.participantId, callId: p.callId, name: p.displayName }, ttlS);
  }

  signInvite(p: Omit<InvitePrincipal, 'kind' | 'expiresAt'>, ttlS: number): string {
    return this.sign({ typ: 'invite', jti: p.inviteId, callId: p.callId }, ttlS);
  }

  #verifyWithAnySecret(token: string): unknown {
    try {
      return jwt.verify(token, this.secret, { algorithms: ['HS256'], issuer: ISSUER });
    } catch (err) {
      const badSignature = err instanceof jwt.JsonWebTokenError && /signature/.test(err.message);
      if (!badSignature || !this.previousSecret) throw err;
      return jwt.verify(token, this.previousSecret, { algorithms: ['HS256'], issuer: ISSUER });
    }
  }

  /** Verifies signature, issuer, expiry and kind; throws `unauthenticated` with a `reason`. */
  verify<K extends Kind>(token: string | undefined, kinds: readonly K[]): Of<K> {
    if (!token) throw authError('missing', 'no token');
    let raw: unknown;
    try {
      raw = this.#verifyWithAnySecret(token);
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw authError('expired', 'token expired');
      if (err instanceof jwt.JsonWebTokenError && /signature/.test(err.message))
        throw authError('invalid_signature', 'token signature invalid');
      throw authError('malformed', 'token invalid');
    }
    const parsed = AnyClaims.safeParse(raw);
    if (!parsed.success) throw authError('malformed', 'token claims invalid');
    const principal = toPrincipal(parsed.data);
    if (!(kinds as readonly Kind[]).includes(principal.kind)) {
      throw authError(
        'wrong_token_type',
        `a ${principal.kind} token is not accepted here (expected ${kinds.join(' or ')})`,
      );
    }
    return principal as Of<K>;
  }
}

function toPrincipal(c: z.infer<typeof AnyClaims>): Principal {
  const expiresAt = c.exp * 1000;
  switch (c.typ) {
    case 'staff':
      return {
        kind: 'staff',
        userId: c.sub,
        role: c.role,
        branchId: c.branchId,
        permissions: c.perms,
        displayName: c.name,
        expiresAt,
      };
    case 'edge':
      return { kind: 'edge', edgeId: c.sub, branchId: c.branchId, keyVersion: c.kv, expiresAt };
    case 'customer':
      return { kind: 'customer', participantId: c.sub, callId: c.callId, displayName: c.name, expiresAt };
    case 'invite':
      return { kind: 'invite', inviteId: c.jti, callId: c.callId, expiresAt };
  }
}
