// Per-call data keys (DKs). A DK encrypts every file of one call and exists on
// disk only wrapped by a KEK, in its own file outside the archive directory, so
// backups of the archive never contain it. Destroying that file (crypto-shredding)
// makes every copy of the call's ciphertext unreadable — here, in the cloud
// (which holds the same DK sealed to its own key and is told to drop it), and on
// any stray backup.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { WrappedKey } from '#protocol/archive';
import { AppError } from '#protocol/errors';
import { fileSafe } from '#common/archive/paths';
import type { KekStore } from './KekStore.ts';

const DataKeyFile = z.object({ callId: z.string(), createdAt: z.number(), wrapped: WrappedKey });

export class DataKeyStore {
  readonly #cache = new Map<string, Buffer>();

  private constructor(
    private readonly dir: string,
    private readonly kek: KekStore,
  ) {}

  static async open(dir: string, kek: KekStore): Promise<DataKeyStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return new DataKeyStore(dir, kek);
  }

  get kekStore(): KekStore {
    return this.kek;
  }

  #file(callId: string): string {
    return path.join(this.dir, `${fileSafe(callId)}.json`);
  }

  has(callId: string): boolean {
    return existsSync(this.#file(callId));
  }

  /** The call's DK, created (and wrapped to disk) on first use. */
  async getOrCreate(callId: string): Promise<Buffer> {
    if (this.has(callId)) return this.get(callId);
    const dk = randomBytes(32);
    const record = { callId, createdAt: Date.now(), wrapped: await this.kek.wrap(dk, callId) };
    const file = this.#file(callId);
    await writeFile(`${file}.tmp`, JSON.stringify(record), { mode: 0o600 });
    await rename(`${file}.tmp`, file);
    this.#cache.set(callId, dk);
    return dk;
  }

  /** The call's DK; `gone` (410-like not_found) once shredded. */
  async get(callId: string): Promise<Buffer> {
    const cached = this.#cache.get(callId);
    if (cached) return cached;
    let raw: string;
    try {
      raw = await readFile(this.#file(callId), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        throw new AppError(
          'not_found',
          `no data key for call ${callId} (never recorded, or crypto-shredded)`,
          { reason: 'no_key' },
        );
      throw err;
    }
    const record = DataKeyFile.parse(JSON.parse(raw));
    const dk = await this.kek.unwrap(record.wrapped, callId);
    this.#cache.set(callId, dk);
    return dk;
  }

  /** Destroys the call's DK: overwrite, sync, unlink. Returns false when there was none. */
  async shred(callId: string): Promise<boolean> {
    const cached = this.#cache.get(callId);
    cached?.fill(0);
    this.#cache.delete(callId);
    const file = this.#file(callId);
    if (!existsSync(file)) return false;
    const fh = await open(file, 'r+');
    try {
      const { size } = await fh.stat();
      await fh.write(randomBytes(Math.max(size, 256)), 0, Math.max(size, 256), 0);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await unlink(file);
    const dirHandle = await open(this.dir, 'r');
    await dirHandle.sync().finally(() => dirHandle.close());
    return true;
  }

  /** Re-wraps every DK under the current KEK (after `kek.rotate()`); the data is untouched. */
  async rewrapAll(): Promise<{ rewrapped: number; kekId: string }> {
    const kekId = this.kek.currentKekId();
    let rewrapped = 0;
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith('.json')) continue;
      const file = path.join(this.dir, name);
      const record = DataKeyFile.parse(JSON.parse(await readFile(file, 'utf8')));
      if (record.wrapped.kekId === kekId) continue;
      const dk = await this.kek.unwrap(record.wrapped, record.callId);
      const next = { ...record, wrapped: await this.kek.wrap(dk, record.callId) };
      await writeFile(`${file}.tmp`, JSON.stringify(next), { mode: 0o600 });
      await rename(`${file}.tmp`, file);
      rewrapped++;
    }
    return { rewrapped, kekId };
  }

  /** KEK ids some DK is still wrapped under. */
  async kekIdsInUse(): Promise<Set<string>> {
    const ids = new Set<string>();
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith('.json')) continue;
      ids.add(DataKeyFile.parse(JSON.parse(await readFile(path.join(this.dir, name), 'utf8'))).wrapped.kekId);
    }
    return ids;
  }

  /** Rotates the KEK, re-wraps every DK, then destroys KEKs nothing uses any more. */
  async rotateKek(): Promise<{ kekId: string; rewrapped: number; retired: string[] }> {
    await this.kek.rotate();
    const { rewrapped, kekId } = await this.rewrapAll();
    const inUse = await this.kekIdsInUse();
    const retired: string[] = [];
    for (const id of await this.kek.kekIds()) {
      if (id !== kekId && !inUse.has(id)) {
        await this.kek.retire(id);
        retired.push(id);
      }
    }
    return { kekId, rewrapped, retired };
  }
}
