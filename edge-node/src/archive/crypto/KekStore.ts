// Key-encryption keys (KEKs): they wrap each call's data key and never touch
// data themselves, so rotating one re-wraps a few hundred bytes per call and
// leaves the recordings as they are. `KekStore` is the seam for an HSM or a
// cloud KMS (wrap/unwrap/rotate are the only operations the archive needs);
// `FileKekStore` is the default: one 32-byte key per file in a directory only
// the edge's user can read, refusing to start if the permissions are looser.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '#protocol/errors';
import type { WrappedKey } from '#protocol/archive';

export interface KekStore {
  /** `file`, `kms:<provider>`… for logs and the health check. */
  readonly kind: string;
  currentKekId(): string;
  /** Wraps a data key under the current KEK; `context` (the call id) is bound as AAD. */
  wrap(dataKey: Buffer, context: string): Promise<WrappedKey>;
  unwrap(wrapped: WrappedKey, context: string): Promise<Buffer>;
  /** Creates a new KEK and makes it current. Older KEKs still unwrap until retired. */
  rotate(): Promise<string>;
  /** Destroys a KEK that nothing is wrapped under any more. */
  retire(kekId: string): Promise<void>;
  kekIds(): Promise<string[]>;
}

const CURRENT = 'CURRENT';
const KEY_FILE = /^([a-z0-9-]+)\.kek$/;

/** Fails when group or others may read `p` (like ssh with a private key). */
async function assertPrivate(p: string, what: string): Promise<void> {
  const { mode } = await stat(p);
  if ((mode & 0o077) !== 0) {
    throw new AppError(
      'internal',
      `${what} ${p} is accessible by group/others (mode ${(mode & 0o777).toString(8)}); chmod it to 0600/0700`,
    );
  }
}

/** AES-256-GCM key wrap; the AAD binds the wrapped data key to what it protects. */
function wrapKey(kekId: string, kek: Buffer, dataKey: Buffer, context: string): WrappedKey {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(Buffer.from(`dk:${context}`));
  const ct = Buffer.concat([cipher.update(dataKey), cipher.final()]);
  return {
    kekId,
    alg: 'A256GCM',
    iv: iv.toString('base64'),
    ct: ct.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

function unwrapKey(kek: Buffer, wrapped: WrappedKey, context: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(wrapped.iv, 'base64'));
  decipher.setAAD(Buffer.from(`dk:${context}`));
  decipher.setAuthTag(Buffer.from(wrapped.tag, 'base64'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(wrapped.ct, 'base64')), decipher.final()]);
  } catch {
    throw new AppError('internal', `data key of ${context} does not unwrap under KEK ${wrapped.kekId}`);
  }
}

export class FileKekStore implements KekStore {
  readonly kind = 'file';
  readonly #keys = new Map<string, Buffer>();
  #current = '';

  private constructor(private readonly dir: string) {}

  /** Opens (or on first start creates) the KEK directory. */
  static async open(dir: string): Promise<FileKekStore> {
    const store = new FileKekStore(dir);
    if (!existsSync(dir)) await mkdir(dir, { recursive: true, mode: 0o700 });
    await assertPrivate(dir, 'KEK directory');
    for (const name of await readdir(dir)) {
      const m = KEY_FILE.exec(name);
      if (!m) continue;
      const file = path.join(dir, name);
      await assertPrivate(file, 'KEK file');
      const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
      if (key.length !== 32)
        throw new AppError('internal', `KEK file ${file} does not hold 32 bytes (base64)`);
      store.#keys.set(m[1]!, key);
    }
    const currentFile = path.join(dir, CURRENT);
    if (existsSync(currentFile)) store.#current = (await readFile(currentFile, 'utf8')).trim();
    if (!store.#current || !store.#keys.has(store.#current)) {
      if (store.#keys.size > 0 && store.#current)
        throw new AppError('internal', `current KEK ${store.#current} missing from ${dir}`);
      await store.rotate();
    }
    return store;
  }

  currentKekId(): string {
    return this.#current;
  }

  async kekIds(): Promise<string[]> {
    return [...this.#keys.keys()];
  }

  async wrap(dataKey: Buffer, context: string): Promise<WrappedKey> {
    return wrapKey(this.#current, this.#key(this.#current), dataKey, context);
  }

  async unwrap(wrapped: WrappedKey, context: string): Promise<Buffer> {
    return unwrapKey(this.#key(wrapped.kekId), wrapped, context);
  }

  async rotate(): Promise<string> {
    const key = randomBytes(32);
    const id = `kek-${Date.now().toString(36)}-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
    const file = path.join(this.dir, `${id}.kek`);
    await writeFile(file, key.toString('base64'), { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
    const tmp = path.join(this.dir, `${CURRENT}.tmp`);
    await writeFile(tmp, id, { mode: 0o600 });
    await rename(tmp, path.join(this.dir, CURRENT));
    this.#keys.set(id, key);
    this.#current = id;
    return id;
  }

  async retire(kekId: string): Promise<void> {
    if (kekId === this.#current) throw new AppError('conflict', 'cannot retire the current KEK');
    const key = this.#keys.get(kekId);
    if (!key) return;
    const file = path.join(this.dir, `${kekId}.kek`);
    await writeFile(file, randomBytes(64).toString('base64'));
    await unlink(file);
    key.fill(0);
    this.#keys.delete(kekId);
  }

  #key(id: string): Buffer {
    const key = this.#keys.get(id);
    if (!key) throw new AppError('internal', `KEK ${id} is not in the key store`);
    return key;
  }
}

/**
 * KEKs injected through the environment by a secret manager: KEK_CURRENT_BASE64
 * wraps, KEK_PREVIOUS_BASE64 (during a rotation) still unwraps. Rotating is a
 * deployment — the new key as current, the old as previous; the edge re-wraps
 * every data key at start — then a second deployment drops the previous one.
 * No downtime: either key opens every call while both are present.
 */
export class EnvKekStore implements KekStore {
  readonly kind = 'env';
  readonly #keys = new Map<string, Buffer>();
  readonly #current: string;

  constructor(current: { id?: string; base64: string }, previous?: { id?: string; base64: string }) {
    const load = (k: { id?: string; base64: string }, what: string): [string, Buffer] => {
      const key = Buffer.from(k.base64, 'base64');
      if (key.length !== 32) throw new AppError('internal', `${what} must be 32 bytes, base64`);
      return [k.id ?? `env-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`, key];
    };
    const [id, key] = load(current, 'KEK_CURRENT_BASE64');
    this.#current = id;
    this.#keys.set(id, key);
    if (previous) {
      const [pid, pkey] = load(previous, 'KEK_PREVIOUS_BASE64');
      if (pid !== id) this.#keys.set(pid, pkey);
    }
  }

  currentKekId(): string {
    return this.#current;
  }

  async kekIds(): Promise<string[]> {
    return [...this.#keys.keys()];
  }

  async wrap(dataKey: Buffer, context: string): Promise<WrappedKey> {
    return wrapKey(this.#current, this.#keys.get(this.#current)!, dataKey, context);
  }

  async unwrap(wrapped: WrappedKey, context: string): Promise<Buffer> {
    const kek = this.#keys.get(wrapped.kekId);
    if (!kek) throw new AppError('internal', `KEK ${wrapped.kekId} is neither KEK_CURRENT nor KEK_PREVIOUS`);
    return unwrapKey(kek, wrapped, context);
  }

  async rotate(): Promise<string> {
    throw new AppError(
      'conflict',
      'KEKs from the environment are rotated by deploying KEK_CURRENT_BASE64 with the old key as KEK_PREVIOUS_BASE64 (docs/security.md)',
      { reason: 'env_kek' },
    );
  }

  async retire(kekId: string): Promise<void> {
    if (kekId !== this.#current) this.#keys.get(kekId)?.fill(0);
    if (kekId !== this.#current) this.#keys.delete(kekId);
  }
}
