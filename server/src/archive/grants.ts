// Media grants: a short-lived signed token in a URL, because a <video> element
// cannot send an Authorization header. A grant names one call, one file (or
// `composite`) and one purpose; it is issued only after the access was checked
// and audited, and cannot pass as any other token (own audience and type).
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { AppError } from '#protocol/errors';

const AUDIENCE = 'branchedge-archive-media';
const Claims = z.object({
  typ: z.literal('archive-grant'),
  sub: z.string(),
  callId: z.string(),
  file: z.string(),
  purpose: z.enum(['play', 'download']),
  exp: z.number(),
});
export type Grant = z.infer<typeof Claims>;

export class GrantSigner {
  constructor(
    private readonly secret: string,
    private readonly ttlS: number,
  ) {}

  sign(g: Omit<Grant, 'typ' | 'exp'>): { token: string; expiresAt: number } {
    const token = jwt.sign({ ...g, typ: 'archive-grant' }, this.secret, {
      algorithm: 'HS256',
      audience: AUDIENCE,
      expiresIn: this.ttlS,
    });
    return { token, expiresAt: Date.now() + this.ttlS * 1000 };
  }

  verify(token: string | undefined): Grant {
    if (!token) throw new AppError('unauthenticated', 'a media grant is required', { reason: 'missing' });
    try {
      return Claims.parse(jwt.verify(token, this.secret, { algorithms: ['HS256'], audience: AUDIENCE }));
    } catch (err) {
      const expired = (err as Error).name === 'TokenExpiredError';
      throw new AppError('unauthenticated', expired ? 'media grant expired' : 'invalid media grant', {
        reason: expired ? 'expired' : 'invalid_signature',
      });
    }
  }
}
