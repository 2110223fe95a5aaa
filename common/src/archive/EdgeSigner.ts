// The edge's Ed25519 identity for signing manifest heads. The private key lives
// in a 0600 file next to the KEKs (ARCHIVE_SIGNING_KEY_FILE) and is created on
// first start; the public key travels in each manifest and head, and the cloud
// pins the first one it sees per edge.
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '#protocol/errors';

export class EdgeSigner {
  private constructor(
    private readonly privateKey: KeyObject,
    /** SPKI DER, base64. */
    readonly publicKey: string,
  ) {}

  static async open(file: string): Promise<EdgeSigner> {
    if (!existsSync(file)) {
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      const { privateKey } = generateKeyPairSync('ed25519');
      await writeFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    }
    const { mode } = await stat(file);
    if ((mode & 0o077) !== 0)
      throw new AppError('internal', `signing key ${file} is accessible by group/others; chmod 0600`);
    const privateKey = createPrivateKey(await readFile(file, 'utf8'));
    const publicKey = createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).toString('base64');
    return new EdgeSigner(privateKey, publicKey);
  }

  sign(data: Buffer): string {
    return sign(null, data, this.privateKey).toString('base64');
  }
}

export function verifySignature(publicKeyB64: string, data: Buffer, signatureB64: string): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(publicKeyB64, 'base64'), format: 'der', type: 'spki' });
    return verify(null, data, key, Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}
