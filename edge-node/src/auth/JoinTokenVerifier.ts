// Verifies the join tokens participants present to this edge. The cloud signs
// them (ES256) and the edge holds only the public key — from a file, or handed
// over the cloud link — so in-branch calls keep working while the cloud is away.
import jwt from 'jsonwebtoken';
import { AppError } from '#protocol/errors';
import { JoinClaims } from '#protocol/signaling';

export class JoinTokenVerifier {
  #publicKey?: string;

  constructor(
    private readonly edgeId: string,
    publicKey?: string,
  ) {
    this.#publicKey = publicKey;
  }

  get ready(): boolean {
    return this.#publicKey !== undefined;
  }

  setPublicKey(pem: string): void {
    this.#publicKey = pem;
  }

  verify(token: unknown): JoinClaims {
    if (typeof token !== 'string' || token.length === 0) throw new AppError('unauthenticated', 'a join token is required');
    if (!this.#publicKey) throw new AppError('unavailable', 'this edge has no key to verify join tokens yet (cloud not reached)');
    let payload: unknown;
    try {
      payload = jwt.verify(token, this.#publicKey, { algorithms: ['ES256'], audience: `edge:${this.edgeId}` });
    } catch (err) {
      const e = err as Error;
      const reason = e.name === 'TokenExpiredError' ? 'join token expired' : `join token rejected: ${e.message}`;
      throw new AppError('unauthenticated', reason);
    }
    const claims = JoinClaims.safeParse(payload);
    if (!claims.success) throw new AppError('unauthenticated', 'join token lacks call, role or subject');
    return claims.data;
  }
}
