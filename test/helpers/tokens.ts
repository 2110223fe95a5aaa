// A throwaway ES256 key pair, like the cloud's call-token key, for tests that
// talk to an edge without a cloud in front of it.
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { lobbyAccessAudience, type LobbyAccessClaims } from '#protocol/lobby';
import type { JoinClaims } from '#protocol/signaling';

export interface TestCallKeys {
  publicKeyFile: string;
  publicKeyPem: string;
  mint(edgeId: string, claims: JoinClaims, options?: { expiresInS?: number; privateKey?: string }): string;
  /** A lobby access token for the edge's `/lobby…` endpoints, as the cloud signs them. */
  mintLobby(
    edgeId: string,
    claims: LobbyAccessClaims,
    options?: { expiresInS?: number; privateKey?: string },
  ): string;
}

export function createCallKeys(dir: string): TestCallKeys {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicKeyFile = path.join(dir, 'call-token.pub.pem');
  writeFileSync(publicKeyFile, publicKeyPem);
  return {
    publicKeyFile,
    publicKeyPem,
    mint: (edgeId, claims, options = {}) =>
      jwt.sign(claims, options.privateKey ?? privatePem, {
        algorithm: 'ES256',
        audience: `edge:${edgeId}`,
        expiresIn: options.expiresInS ?? 600,
      }),
    mintLobby: (edgeId, claims, options = {}) =>
      jwt.sign(claims, options.privateKey ?? privatePem, {
        algorithm: 'ES256',
        audience: lobbyAccessAudience(edgeId),
        expiresIn: options.expiresInS ?? 600,
      }),
  };
}
