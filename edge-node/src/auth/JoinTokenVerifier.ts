// Verifies the join tokens participants present to this edge. The cloud signs
// them (ES256) and the edge holds only public keys — from a file, and the
// cloud's current key handed over the cloud link — so in-branch calls keep
// working while the cloud is away. The cloud's previous key stays trusted after
// a rotation, so tokens minted just before it still work.
import jwt from 'jsonwebtoken';
import { AppError } from '#protocol/errors';
import { JoinClaims } from '#protocol/signaling';

const CLOUD_KEYS_KEPT = 2;

export class JoinTokenVerifier {
  readonly #configured: string[];
  #fromCloud: string[] = [];

  constructor(
    private readonly edgeId: string,
    publicKey?: string,
  ) {
    this.#configured = publicKey ? [publicKey] : [];
  }

  get ready(): boolean {
    return this.#configured.length + this.#fromCloud.length > 0;
  }

  /** The cloud's current key (newest first); older cloud keys beyond the previous one are dropped. */
  setPublicKey(pem: string): void {
    this.#fromCloud = [pem, ...this.#fromCloud.filter((k) => k !== pem)].slice(0, CLOUD_KEYS_KEPT);
  }

  verify(token: unknown): JoinClaims {
    if (typeof token !== 'string' || token.length === 0) throw new AppError('unauthenticated', 'a join token is required');
    const keys = [...this.#fromCloud, ...this.#configured];
    if (keys.length === 0) throw new AppError('unavailable', 'this edge has no key to verify join tokens yet (cloud not reached)');
    let lastError: Error | undefined;
    for (const key of keys) {
      try {
        const payload = jwt.verify(token, key, { algorithms: ['ES256'], audience: `edge:${this.edgeId}` });
        const claims = JoinClaims.safeParse(payload);
        if (!claims.success) throw new AppError('unauthenticated', 'join token lacks call, role or subject');
        return claims.data;
      } catch (err) {
        if (err instanceof AppError) throw err;
        lastError = err as Error;
        // An expired or mis-addressed token fails the same way under every key.
        if (lastError.name === 'TokenExpiredError') break;
      }
    }
    const reason = lastError?.name === 'TokenExpiredError' ? 'join token expired' : `join token rejected: ${lastError?.message}`;
    throw new AppError('unauthenticated', reason);
  }
}
