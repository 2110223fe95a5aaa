// Join tokens for the edge: a participant presents one to the edge's own
// signaling (`auth.token` on its `/sfu` namespace). ES256, so edges hold only the
// public key (sent in the `edge:hello` ack) and can never mint tokens themselves.
// Audience `edge:<edgeId>`: a token for one edge is useless at another. The same
// key signs lobby access tokens for an edge's `/lobby…` endpoints (audience
// `edge-lobby:<edgeId>`, so neither kind passes as the other).
import { createPublicKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { lobbyAccessAudience, type LobbyAccessClaims } from '#protocol/lobby';
import type { JoinClaims } from '#protocol/signaling';

export class CallTokenSigner {
  readonly publicKeyPem: string;

  constructor(private readonly privateKeyPem: string) {
    this.publicKeyPem = createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
  }

  sign(edgeId: string, claims: JoinClaims, ttlS: number): string {
    return jwt.sign({ ...claims }, this.privateKeyPem, {
      algorithm: 'ES256',
      audience: `edge:${edgeId}`,
      expiresIn: ttlS,
      issuer: 'branchedge-cloud',
    });
  }

  /** Access to one edge's lobby endpoints (own audience: never accepted as a join token, nor the reverse). */
  signLobbyAccess(edgeId: string, claims: LobbyAccessClaims, ttlS: number): string {
    return jwt.sign({ ...claims }, this.privateKeyPem, {
      algorithm: 'ES256',
      audience: lobbyAccessAudience(edgeId),
      expiresIn: ttlS,
      issuer: 'branchedge-cloud',
    });
  }
}
