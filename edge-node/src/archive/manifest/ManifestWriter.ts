// Appends entries to a call's hash-chained manifest (one JSON line each, every
// entry carrying the previous entry's hash) and signs checkpoints ("heads")
// with the edge's Ed25519 key. Writes are serialised; an entry that cannot be
// written (disk full) stays queued in order and is written with the next one
// that can, so the chain on disk never has holes or half lines.
import { existsSync, readFileSync } from 'node:fs';
import { open, rename, truncate, writeFile } from 'node:fs/promises';
import { type ManifestEntry, ManifestHead } from '#protocol/archive';
import type { EdgeSigner } from '#common/archive/EdgeSigner';
import { ZERO_HASH, entryHash, headSigningBytes } from '#common/archive/canonical';

/** What a caller supplies; the writer adds seq, at, prev and hash. */
export type NewEntry = ManifestEntry extends infer E
  ? E extends ManifestEntry
    ? Omit<E, 'seq' | 'at' | 'prev' | 'hash'>
    : never
  : never;

export class ManifestWriter {
  readonly entries: ManifestEntry[] = [];
  /** Lines computed but not yet on disk (the disk was full). */
  #unwritten: string[] = [];
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly headFile: string,
    private readonly signer: EdgeSigner,
    private readonly ids: { callId: string; edgeId: string },
  ) {}

  /** Opens an existing manifest (trusting our own file; `verify` is the tamper check) or starts an empty one. */
  static open(
    file: string,
    headFile: string,
    signer: EdgeSigner,
    ids: { callId: string; edgeId: string },
  ): ManifestWriter {
    const writer = new ManifestWriter(file, headFile, signer, ids);
    if (existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (line.trim()) writer.entries.push(JSON.parse(line) as ManifestEntry);
      }
    }
    return writer;
  }

  get last(): ManifestEntry | undefined {
    return this.entries.at(-1);
  }

  get pendingWrites(): number {
    return this.#unwritten.length;
  }

  /** Appends one entry; resolves once it is on disk, rejects (keeping it queued) when the write failed. */
  append(partial: NewEntry): Promise<ManifestEntry> {
    const prev = this.last?.hash ?? ZERO_HASH;
    const draft = { ...partial, seq: this.entries.length, at: Date.now(), prev } as Record<string, unknown>;
    const entry = { ...draft, hash: entryHash(draft) } as ManifestEntry;
    this.entries.push(entry);
    this.#unwritten.push(`${JSON.stringify(entry)}\n`);
    return this.#serial(async () => {
      await this.#flushUnwritten();
      return entry;
    });
  }

  /** Retries writing queued entries (after space was freed). */
  flush(): Promise<void> {
    return this.#serial(() => this.#flushUnwritten());
  }

  /** Signs the current last entry (unless already signed) and stores the head next to the manifest. */
  sign(): Promise<ManifestHead> {
    return this.#serial(async () => {
      await this.#flushUnwritten();
      const last = this.last;
      if (!last) throw new Error('cannot sign an empty manifest');
      // One head per entry: signing the same state again would only change signedAt.
      const current = this.head();
      if (current && current.seq === last.seq && current.hash === last.hash) return current;
      const unsigned = { ...this.ids, seq: last.seq, hash: last.hash, signedAt: Date.now() };
      const head: ManifestHead = {
        ...unsigned,
        alg: 'Ed25519',
        publicKey: this.signer.publicKey,
        signature: this.signer.sign(headSigningBytes(unsigned)),
      };
      await writeFile(`${this.headFile}.tmp`, JSON.stringify(head, null, 2), { mode: 0o600 });
      await rename(`${this.headFile}.tmp`, this.headFile);
      return head;
    });
  }

  /** The stored head, if any. */
  head(): ManifestHead | undefined {
    if (!existsSync(this.headFile)) return undefined;
    return ManifestHead.parse(JSON.parse(readFileSync(this.headFile, 'utf8')));
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #flushUnwritten(): Promise<void> {
    const n = this.#unwritten.length;
    if (n === 0) return;
    // Entries appended while this write is in flight stay queued for the next one.
    const data = this.#unwritten.slice(0, n).join('');
    const fh = await open(this.file, 'a', 0o600);
    const { size } = await fh.stat();
    try {
      await fh.write(data);
      await fh.sync();
      this.#unwritten.splice(0, n);
    } catch (err) {
      // Never leave half a line behind: cut back to the last complete entry.
      await fh.close().catch(() => undefined);
      await truncate(this.file, size).catch(() => undefined);
      throw err;
    }
    await fh.close();
  }
}
