// The edge's own append-only audit log: retention deletions, crypto-shredding,
// legal holds, key rotations and reads of stored calls on behalf of the cloud.
// One JSON line per entry, hash-chained like the manifest so an edited or
// removed line shows; each entry is also queued to the cloud's audit stream.
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { AuditAction } from '#protocol/archive';
import { ZERO_HASH, entryHash } from '#common/archive/canonical';

export interface EdgeAuditInput {
  actor: string;
  actorRole: string;
  action: AuditAction;
  callId?: string;
  reason?: string;
  outcome: 'granted' | 'denied' | 'done';
  detail?: string;
}

export interface EdgeAuditEntry extends EdgeAuditInput {
  seq: number;
  at: number;
  prev: string;
  hash: string;
}

export class AuditLog {
  #last: { seq: number; hash: string };
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly onEntry: (entry: EdgeAuditEntry) => void,
  ) {
    this.#last = { seq: -1, hash: ZERO_HASH };
    if (existsSync(file)) {
      const lines = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim());
      const last = lines.at(-1);
      if (last) {
        const e = JSON.parse(last) as EdgeAuditEntry;
        this.#last = { seq: e.seq, hash: e.hash };
      }
    }
  }

  static async open(file: string, onEntry: (entry: EdgeAuditEntry) => void): Promise<AuditLog> {
    await mkdir(path.dirname(file), { recursive: true });
    return new AuditLog(file, onEntry);
  }

  append(input: EdgeAuditInput): Promise<EdgeAuditEntry> {
    const run = this.#queue.then(async () => {
      const draft = { ...input, seq: this.#last.seq + 1, at: Date.now(), prev: this.#last.hash };
      const entry = { ...draft, hash: entryHash(draft) } as EdgeAuditEntry;
      await appendFile(this.file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
      this.#last = { seq: entry.seq, hash: entry.hash };
      this.onEntry(entry);
      return entry;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Every entry, oldest first, with `intact` false from the first line whose chain breaks. */
  read(): { entries: EdgeAuditEntry[]; intact: boolean } {
    if (!existsSync(this.file)) return { entries: [], intact: true };
    let prev = ZERO_HASH;
    let intact = true;
    const entries = readFileSync(this.file, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as EdgeAuditEntry);
    for (const e of entries) {
      if (e.prev !== prev || entryHash(e as unknown as Record<string, unknown>) !== e.hash) intact = false;
      prev = e.hash;
    }
    return { entries, intact };
  }
}
