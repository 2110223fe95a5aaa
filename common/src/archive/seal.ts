// Sealing a data key to the cloud's archive public key (X25519 ECDH → HKDF-SHA256
// → AES-256-GCM, bound to the call id). The cloud keeps the same DK as the edge,
// so the ciphertext the edge uploads is byte-for-byte what the manifest hashed.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import type { SealedKey } from '#protocol/archive';

const INFO = 'branchedge dk seal v1';

/** Short id of a public key, so a receiver with several (rotated) private keys picks the right one. */
export function keyId(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

function derive(shared: Buffer, epk: Buffer, callId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, epk, Buffer.from(`${INFO}|${callId}`), 32));
}

export function sealDataKey(dataKey: Buffer, recipientPem: string, callId: string): SealedKey {
  const recipient = createPublicKey(recipientPem);
  const eph = generateKeyPairSync('x25519');
  const epk = eph.publicKey.export({ type: 'spki', format: 'der' });
  const key = derive(diffieHellman({ privateKey: eph.privateKey, publicKey: recipient }), epk, callId);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(callId));
  const ct = Buffer.concat([cipher.update(dataKey), cipher.final()]);
  return {
    alg: 'X25519-HKDF-SHA256-A256GCM',
    kid: keyId(recipient),
    epk: epk.toString('base64'),
    iv: iv.toString('base64'),
    ct: ct.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

export function unsealDataKey(sealed: SealedKey, privateKey: KeyObject, callId: string): Buffer {
  const epkDer = Buffer.from(sealed.epk, 'base64');
  const epk = createPublicKey({ key: epkDer, format: 'der', type: 'spki' });
  const key = derive(diffieHellman({ privateKey, publicKey: epk }), epkDer, callId);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAAD(Buffer.from(callId));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]);
}
