// The archive on disk: one directory per call holding encrypted files
// (segments, artifacts), the hash-chained manifest and a small metadata file
// (no personal data). Everything written goes through here, so every file is
// AES-256-GCM under the call's data key, the disk reserve is respected, and
// the manifest lists the ciphertext's SHA-256.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Logger } from '#common/logger';
import type { ManifestEntry, ManifestHead } from '#protocol/archive';
import { AppError } from '#protocol/errors';
import { BlobReader, encryptFile, readBlob, writeBlob, type WrittenBlob } from '#common/archive/blob';
import type { DataKeyStore } from './crypto/DataKeys.ts';
import type { EdgeSigner } from '#common/archive/EdgeSigner';
import { assertSpace } from './DiskGuard.ts';
import { ManifestWriter, type NewEntry } from './manifest/ManifestWriter.ts';
import { callPaths, resolveInCall, type CallPaths } from '#common/archive/paths';

export const CallMeta = z.object({
  callId: z.string(),
  edgeId: z.string(),
  branchId: z.string(),
  startedAt: z.number(),
  status: z.enum(['open', 'sealed']),
  sealedAt: z.number().optional(),
  durationMs: z.number().optional(),
  product: z.string().optional(),
  productEndsAt: z.number().optional(),
  hold: z.object({ by: z.string(), reason: z.string(), at: z.number() }).optional(),
  shreddedAt: z.number().optional(),
  composite: z.enum(['pending', 'done', 'failed', 'skipped']).optional(),
});
export type CallMeta = z.infer<typeof CallMeta>;

export interface StoredFile extends WrittenBlob {
  /** Path relative to the call's directory (what the manifest lists). */
  file: string;
}

/** One call's directory. */
export class CallRecord {
  #meta: CallMeta;

  constructor(
    readonly paths: CallPaths,
    meta: CallMeta,
    readonly manifest: ManifestWriter,
    private readonly store: ArchiveStore,
  ) {
    this.#meta = meta;
  }

  get callId(): string {
    return this.#meta.callId;
  }

  get meta(): Readonly<CallMeta> {
    return this.#meta;
  }

  async updateMeta(patch: Partial<CallMeta>): Promise<void> {
    this.#meta = { ...this.#meta, ...patch };
    await writeFile(`${this.paths.meta}.tmp`, JSON.stringify(this.#meta, null, 2), { mode: 0o600 });
    await rename(`${this.paths.meta}.tmp`, this.paths.meta);
  }

  dataKey(): Promise<Buffer> {
    return this.store.keys.get(this.callId);
  }

  /** Encrypts `plain` into `relative`; `guard` applies the disk reserve (segments do, small metadata does not). */
  async putBuffer(relative: string, plain: Buffer, guard = true): Promise<StoredFile> {
    const full = resolveInCall(this.paths.dir, relative);
    await mkdir(path.dirname(full), { recursive: true, mode: 0o700 });
    if (guard) await assertSpace(this.paths.dir, plain.length + 4096, this.store.minFreeBytes);
    return { file: relative, ...(await writeBlob(full, await this.dataKey(), plain)) };
  }

  /** Encrypts a plaintext file (a finished segment in the spool, a composite) into `relative`. */
  async putFile(relative: string, source: string, guard = true): Promise<StoredFile> {
    const full = resolveInCall(this.paths.dir, relative);
    await mkdir(path.dirname(full), { recursive: true, mode: 0o700 });
    if (guard) await assertSpace(this.paths.dir, (await stat(source)).size + 4096, this.store.minFreeBytes);
    return { file: relative, ...(await encryptFile(source, await this.dataKey(), full)) };
  }

  append(entry: NewEntry): Promise<ManifestEntry> {
    return this.manifest.append(entry);
  }

  sign(): Promise<ManifestHead> {
    return this.manifest.sign();
  }

  /** Decrypts a whole stored file (reports, transcripts). */
  async readFile(relative: string): Promise<Buffer> {
    return readBlob(resolveInCall(this.paths.dir, relative), await this.dataKey());
  }

  /** Random-access reader for range requests; the caller closes it. */
  async reader(relative: string): Promise<BlobReader> {
    const full = resolveInCall(this.paths.dir, relative);
    if (!existsSync(full)) throw new AppError('not_found', `no ${relative} in call ${this.callId}`);
    return BlobReader.open(full, await this.dataKey());
  }

  absolute(relative: string): string {
    return resolveInCall(this.paths.dir, relative);
  }

  entries<T extends ManifestEntry['type']>(type: T): Extract<ManifestEntry, { type: T }>[] {
    return this.manifest.entries.filter((e): e is Extract<ManifestEntry, { type: T }> => e.type === type);
  }

  /** Deletes the encrypted data files (after crypto-shredding); the manifest and metadata stay. */
  async deleteData(): Promise<number> {
    let removed = 0;
    for (const sub of ['tracks', 'artifacts']) {
      const dir = path.join(this.paths.dir, sub);
      if (!existsSync(dir)) continue;
      removed += countFiles(dir);
      await rm(dir, { recursive: true, force: true });
    }
    return removed;
  }
}

function countFiles(dir: string): number {
  let n = 0;
  for (const d of readdirSync(dir, { withFileTypes: true }))
    n += d.isDirectory() ? countFiles(path.join(dir, d.name)) : 1;
  return n;
}

export interface ArchiveStoreOptions {
  dir: string;
  keys: DataKeyStore;
  signer: EdgeSigner;
  edgeId: string;
  branchId: string;
  minFreeBytes: number;
  logger: Logger;
}

/** The registry of call directories (owned by the edge's CallArchive). */
export class ArchiveStore {
  readonly #open = new Map<string, CallRecord>();

  private constructor(private readonly o: ArchiveStoreOptions) {}

  static async open(o: ArchiveStoreOptions): Promise<ArchiveStore> {
    await mkdir(path.join(o.dir, 'calls'), { recursive: true, mode: 0o700 });
    return new ArchiveStore(o);
  }

  get dir(): string {
    return this.o.dir;
  }

  get keys(): DataKeyStore {
    return this.o.keys;
  }

  get signer(): EdgeSigner {
    return this.o.signer;
  }

  get minFreeBytes(): number {
    return this.o.minFreeBytes;
  }

  /** Ids of every call on disk. */
  callIds(): string[] {
    const root = path.join(this.o.dir, 'calls');
    const ids: string[] = [];
    for (const d of readdirSync(root, { withFileTypes: true })) {
      const metaFile = path.join(root, d.name, 'call.json');
      if (d.isDirectory() && existsSync(metaFile))
        ids.push(CallMeta.parse(JSON.parse(readFileSync(metaFile, 'utf8'))).callId);
    }
    return ids;
  }

  /** The call's record, creating the directory, data key and first manifest entry on first use. */
  async create(callId: string, startedAt: number): Promise<CallRecord> {
    const existing = this.get(callId);
    if (existing) return existing;
    const paths = callPaths(this.o.dir, callId);
    await mkdir(paths.dir, { recursive: true, mode: 0o700 });
    await this.o.keys.getOrCreate(callId);
    const meta: CallMeta = {
      callId,
      edgeId: this.o.edgeId,
      branchId: this.o.branchId,
      startedAt,
      status: 'open',
    };
    const manifest = ManifestWriter.open(paths.manifest, paths.head, this.o.signer, {
      callId,
      edgeId: this.o.edgeId,
    });
    const record = new CallRecord(paths, meta, manifest, this);
    // Registered before the first await: a concurrent get() must not load a second writer for the same manifest.
    this.#open.set(callId, record);
    await record.updateMeta(meta);
    await record.append({
      type: 'call',
      callId,
      edgeId: this.o.edgeId,
      branchId: this.o.branchId,
      startedAt,
      publicKey: this.o.signer.publicKey,
    });
    return record;
  }

  /** An existing call's record (loaded from disk on first access), or undefined. */
  get(callId: string): CallRecord | undefined {
    const cached = this.#open.get(callId);
    if (cached) return cached;
    const paths = callPaths(this.o.dir, callId);
    if (!existsSync(paths.meta)) return undefined;
    const meta = CallMeta.parse(JSON.parse(readFileSync(paths.meta, 'utf8')));
    const manifest = ManifestWriter.open(paths.manifest, paths.head, this.o.signer, {
      callId,
      edgeId: meta.edgeId,
    });
    const record = new CallRecord(paths, meta, manifest, this);
    this.#open.set(callId, record);
    return record;
  }

  require(callId: string): CallRecord {
    const record = this.get(callId);
    if (!record) throw new AppError('not_found', `no archived call ${callId}`);
    return record;
  }
}
