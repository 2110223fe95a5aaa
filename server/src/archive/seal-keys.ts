// The cloud's archive key pairs (X25519): edges seal each call's data key to
// the current public key. Private keys live in 0600 files (ARCHIVE_CLOUD_KEY_DIR/seal);
// rotation adds a key, re-seals every stored data key to it and destroys the old
// one — the ciphertext is never touched. Sealed data keys sit next to them
// (ARCHIVE_CLOUD_KEY_DIR/dk), one file per call, destroyed by crypto-shredding.
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { SealedKey } from '#protocol/archive';
import { AppError } from '#protocol/errors';
import { fileSafe } from '#common/archive/paths';
import { keyId, sealDataKey, unsealDataKey } from '#common/archive/seal';

const StoredDataKey = z.object({ callId: z.string(), sealed: SealedKey });

export class SealKeys {
  readonly #keys = new Map<string, KeyObject>();
  #current = '';
  #loaded?: Promise<void>;

  constructor(private readonly dir: string) {}

  #sealDir(): string {
    return path.join(this.dir, 'seal');
  }

  #dkFile(callId: string): string {
    return path.join(this.dir, 'dk', `${fileSafe(callId)}.json`);
  }

  load(): Promise<void> {
    this.#loaded ??= (async () => {
      await mkdir(this.#sealDir(), { recursive: true, mode: 0o700 });
      await mkdir(path.join(this.dir, 'dk'), { recursive: true, mode: 0o700 });
      for (const name of await readdir(this.#sealDir())) {
        if (!name.endsWith('.pem')) continue;
        const key = createPrivateKey(await readFile(path.join(this.#sealDir(), name), 'utf8'));
        this.#keys.set(keyId(createPublicKey(key)), key);
      }
      const current = path.join(this.#sealDir(), 'CURRENT');
      if (existsSync(current)) this.#current = (await readFile(current, 'utf8')).trim();
      if (!this.#keys.has(this.#current)) await this.#newKey();
    })();
    return this.#loaded;
  }

  async publicKeyPem(): Promise<string> {
    await this.load();
    return createPublicKey(this.#keys.get(this.#current)!).export({ type: 'spki', format: 'pem' }).toString();
  }

  async storeSealed(callId: string, sealed: SealedKey): Promise<void> {
    await this.load();
    const file = this.#dkFile(callId);
    await writeFile(`${file}.tmp`, JSON.stringify({ callId, sealed }), { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  }

  hasDataKey(callId: string): boolean {
    return existsSync(this.#dkFile(callId));
  }

  async dataKey(callId: string): Promise<Buffer> {
    await this.load();
    let raw: string;
    try {
      raw = await readFile(this.#dkFile(callId), 'utf8');
    } catch {
      throw new AppError(
        'not_found',
        `no data key for call ${callId} (not delivered yet, or crypto-shredded)`,
        { reason: 'no_key' },
      );
    }
    const { sealed } = StoredDataKey.parse(JSON.parse(raw));
    const key = this.#keys.get(sealed.kid);
    if (!key) throw new AppError('internal', `seal key ${sealed.kid} of call ${callId} is gone`);
    return unsealDataKey(sealed, key, callId);
  }

  /** Crypto-shreds the cloud's copy of a call's data key. */
  async shred(callId: string): Promise<boolean> {
    const file = this.#dkFile(callId);
    if (!existsSync(file)) return false;
    const fh = await open(file, 'r+');
    try {
      await fh.write(randomBytes(512), 0, 512, 0);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await unlink(file);
    return true;
  }

  /** New key pair; every stored data key re-sealed to it; the old private keys destroyed. */
  async rotate(): Promise<{ kid: string; resealed: number; retired: string[] }> {
    await this.load();
    const kid = await this.#newKey();
    const pem = createPublicKey(this.#keys.get(kid)!).export({ type: 'spki', format: 'pem' }).toString();
    let resealed = 0;
    const dkDir = path.join(this.dir, 'dk');
    for (const name of await readdir(dkDir)) {
      if (!name.endsWith('.json')) continue;
      const { callId, sealed } = StoredDataKey.parse(
        JSON.parse(await readFile(path.join(dkDir, name), 'utf8')),
      );
      if (sealed.kid === kid) continue;
      const old = this.#keys.get(sealed.kid);
      if (!old) throw new AppError('internal', `seal key ${sealed.kid} of call ${callId} is gone`);
      await this.storeSealed(callId, sealDataKey(unsealDataKey(sealed, old, callId), pem, callId));
      resealed++;
    }
    const retired: string[] = [];
    for (const old of [...this.#keys.keys()]) {
      if (old === kid) continue;
      const file = path.join(this.#sealDir(), `${old}.pem`);
      await writeFile(file, randomBytes(256).toString('base64'));
      await unlink(file);
      this.#keys.delete(old);
      retired.push(old);
    }
    return { kid, resealed, retired };
  }

  async #newKey(): Promise<string> {
    const { privateKey, publicKey } = generateKeyPairSync('x25519');
    const kid = keyId(publicKey);
    await writeFile(
      path.join(this.#sealDir(), `${kid}.pem`),
      privateKey.export({ type: 'pkcs8', format: 'pem' }),
      { mode: 0o600 },
    );
    await writeFile(path.join(this.#sealDir(), 'CURRENT.tmp'), kid, { mode: 0o600 });
    await rename(path.join(this.#sealDir(), 'CURRENT.tmp'), path.join(this.#sealDir(), 'CURRENT'));
    this.#keys.set(kid, privateKey);
    this.#current = kid;
    return kid;
  }
}
