// Verifies the tokens the cloud signs for this edge: join tokens participants
// present to its signaling, and lobby access tokens for its `/lobby…` HTTP
// endpoints (own audience, so neither passes as the other). The cloud signs
// them (ES256) and the edge holds only public keys — from a file, and the
// cloud's current key handed over the cloud link — so in-branch calls keep
// working while the cloud is away. The cloud's previous key stays trusted after
// a rotation, so tokens minted just before it still work.
import jwt from 'jsonwebtoken';
import type { z } from 'zod';
import { AppError } from '#protocol/errors';
import { LobbyAccessClaims, lobbyAccessAudience } from '#protocol/lobby';
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
    if (typeof token !== 'string' || token.length === 0)
      throw new AppError('unauthenticated', 'a join token is required');
    const { claims, error } = this.#check(token, `edge:${this.edgeId}`, JoinClaims);
    if (claims) return claims;
    if (error === 'claims') throw new AppError('unauthenticated', 'join token lacks call, role or subject');
    throw new AppError(
      'unauthenticated',
      error.name === 'TokenExpiredError' ? 'join token expired' : `join token rejected: ${error.message}`,
    );
  }

  /** A lobby access token for this edge; errors carry `details.reason` (missing, expired, invalid). */
  verifyLobbyAccess(token: string | undefined): LobbyAccessClaims {
    if (!token)
      throw new AppError('unauthenticated', 'a lobby access token is required', { reason: 'missing' });
    const { claims, error } = this.#check(token, lobbyAccessAudience(this.edgeId), LobbyAccessClaims);
    if (claims) return claims;
    if (error === 'claims')
      throw new AppError('unauthenticated', 'not a lobby access token', { reason: 'invalid' });
    if (error.name === 'TokenExpiredError')
      throw new AppError('unauthenticated', 'lobby access token expired', { reason: 'expired' });
    throw new AppError('unauthenticated', `lobby access token rejected: ${error.message}`, {
      reason: 'invalid',
    });
  }

  #check<S extends z.ZodType>(
    token: string,
    audience: string,
    schema: S,
  ): { claims: z.infer<S>; error?: undefined } | { claims?: undefined; error: Error | 'claims' } {
    const keys = [...this.#fromCloud, ...this.#configured];
    if (keys.length === 0)
      throw new AppError(
        'unavailable',
        'this edge has no key to verify cloud tokens yet (cloud not reached)',
      );
    let lastError: Error | undefined;
    for (const key of keys) {
      let payload: unknown;
      try {
        payload = jwt.verify(token, key, { algorithms: ['ES256'], audience });
      } catch (err) {
        lastError = err as Error;
        // An expired or mis-addressed token fails the same way under every key.
        if (lastError.name === 'TokenExpiredError') break;
        continue;
      }
      const claims = schema.safeParse(payload);
      return claims.success ? { claims: claims.data } : { error: 'claims' };
    }
    return { error: lastError ?? new Error('no key matched') };
  }
}
