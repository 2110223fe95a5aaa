// The durable outbox: everything the edge must get to the cloud is a row in a
// SQLite database (WAL, synchronous=FULL) before anyone is told it was sent.
// Rows are idempotent by id — enqueueing the same logical item twice is a
// no-op — and remember how many parts were acknowledged, so a restart resumes
// where it stopped and the cloud (also idempotent by id and part) sees each
// item complete exactly once.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { OUTBOX_PART_BYTES, type OutboxKind } from '#protocol/archive';

export interface OutboxItemInput {
  /** Stable id of the logical item (e.g. `<callId>:report:<seq>`). */
  id: string;
  kind: OutboxKind;
  callId: string;
  meta?: Record<string, unknown>;
  /** Inline payload (JSON documents). */
  body?: Buffer;
  /** Or: a stored (encrypted) file sent as-is, in parts. */
  file?: string;
  /** Or: a payload built at delivery time (a data key sealed to the cloud's current key). */
  dynamic?: boolean;
}

export interface OutboxRow {
  seq: number;
  id: string;
  kind: OutboxKind;
  callId: string;
  meta: Record<string, unknown>;
  body: Buffer | null;
  file: string | null;
  dynamic: boolean;
  size: number;
  sha256: string;
  parts: number;
  partsDone: number;
  attempts: number;
  nextAt: number;
  createdAt: number;
  deliveredAt: number | null;
  dropped: string | null;
  lastError: string | null;
}

interface RawRow {
  seq: number;
  id: string;
  kind: string;
  call_id: string;
  meta: string;
  body: Buffer | null;
  file: string | null;
  dynamic: number;
  size: number;
  sha256: string;
  parts: number;
  parts_done: number;
  attempts: number;
  next_at: number;
  created_at: number;
  delivered_at: number | null;
  dropped: string | null;
  last_error: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  call_id TEXT NOT NULL,
  meta TEXT NOT NULL,
  body BLOB,
  file TEXT,
  dynamic INTEGER NOT NULL DEFAULT 0,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  parts INTEGER NOT NULL,
  parts_done INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  delivered_at INTEGER,
  dropped TEXT,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (delivered_at, dropped, next_at, seq);
`;

function fromRaw(r: RawRow): OutboxRow {
  return {
    seq: r.seq,
    id: r.id,
    kind: r.kind as OutboxKind,
    callId: r.call_id,
    meta: JSON.parse(r.meta) as Record<string, unknown>,
    body: r.body,
    file: r.file,
    dynamic: r.dynamic === 1,
    size: r.size,
    sha256: r.sha256,
    parts: r.parts,
    partsDone: r.parts_done,
    attempts: r.attempts,
    nextAt: r.next_at,
    createdAt: r.created_at,
    deliveredAt: r.delivered_at,
    dropped: r.dropped,
    lastError: r.last_error,
  };
}

export function partsOf(size: number): number {
  return Math.max(1, Math.ceil(size / OUTBOX_PART_BYTES));
}

export class Outbox {
  readonly #db: Database.Database;

  private constructor(file: string) {
    this.#db = new Database(file);
    this.#db.pragma('journal_mode = WAL');
    // Durable before we return: an item the edge believes queued survives a power cut.
    this.#db.pragma('synchronous = FULL');
    this.#db.exec(SCHEMA);
  }

  static open(file: string): Outbox {
    return new Outbox(file);
  }

  /** Queues an item; false when an item with this id already exists (delivered or not). */
  enqueue(item: OutboxItemInput, fileSha256?: string): boolean {
    let size = 0;
    let sha256 = '0'.repeat(64);
    if (item.body) {
      size = item.body.length;
      sha256 = createHash('sha256').update(item.body).digest('hex');
    } else if (item.file) {
      size = statSync(item.file).size;
      if (!fileSha256) throw new Error(`outbox item ${item.id}: a file item needs its SHA-256`);
      sha256 = fileSha256;
    } else if (!item.dynamic) {
      throw new Error(`outbox item ${item.id} has no body, file or dynamic payload`);
    }
    const now = Date.now();
    const info = this.#db
      .prepare(
        `INSERT OR IGNORE INTO outbox (id, kind, call_id, meta, body, file, dynamic, size, sha256, parts, next_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        item.id,
        item.kind,
        item.callId,
        JSON.stringify(item.meta ?? {}),
        item.body ?? null,
        item.file ?? null,
        item.dynamic ? 1 : 0,
        size,
        sha256,
        item.dynamic ? 1 : partsOf(size),
        now,
        now,
      );
    return info.changes === 1;
  }

  /** Undelivered items whose retry time has come, oldest first. */
  due(now = Date.now(), limit = 50): OutboxRow[] {
    return (
      this.#db
        .prepare(
          `SELECT * FROM outbox WHERE delivered_at IS NULL AND dropped IS NULL AND next_at <= ? ORDER BY seq LIMIT ?`,
        )
        .all(now, limit) as RawRow[]
    ).map(fromRaw);
  }

  pending(): OutboxRow[] {
    return (
      this.#db
        .prepare(`SELECT * FROM outbox WHERE delivered_at IS NULL AND dropped IS NULL ORDER BY seq`)
        .all() as RawRow[]
    ).map(fromRaw);
  }

  get(id: string): OutboxRow | undefined {
    const row = this.#db.prepare(`SELECT * FROM outbox WHERE id = ?`).get(id) as RawRow | undefined;
    return row ? fromRaw(row) : undefined;
  }

  all(): OutboxRow[] {
    return (this.#db.prepare(`SELECT * FROM outbox ORDER BY seq`).all() as RawRow[]).map(fromRaw);
  }

  /** Earliest retry time among pending items (for the sender's timer). */
  nextDueAt(): number | undefined {
    const row = this.#db
      .prepare(`SELECT MIN(next_at) AS t FROM outbox WHERE delivered_at IS NULL AND dropped IS NULL`)
      .get() as { t: number | null };
    return row.t ?? undefined;
  }

  partDelivered(id: string, partsDone: number): void {
    this.#db.prepare(`UPDATE outbox SET parts_done = ?, last_error = NULL WHERE id = ?`).run(partsDone, id);
  }

  delivered(id: string): void {
    this.#db
      .prepare(`UPDATE outbox SET delivered_at = ?, last_error = NULL WHERE id = ?`)
      .run(Date.now(), id);
  }

  failed(id: string, error: string, nextAt: number): void {
    this.#db
      .prepare(`UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_at = ? WHERE id = ?`)
      .run(error.slice(0, 500), nextAt, id);
  }

  /** After an outage: everything pending is due now (back-off applies to failures while the cloud is reachable). */
  retryAllNow(): void {
    this.#db
      .prepare(`UPDATE outbox SET next_at = ? WHERE delivered_at IS NULL AND dropped IS NULL`)
      .run(Date.now());
  }

  /** Gives up on an item for good (its data was crypto-shredded before it could be sent). */
  drop(id: string, reason: string): void {
    this.#db.prepare(`UPDATE outbox SET dropped = ? WHERE id = ? AND delivered_at IS NULL`).run(reason, id);
  }

  dropCall(callId: string, reason: string, keepKinds: OutboxKind[]): number {
    const placeholders = keepKinds.map(() => '?').join(',') || "''";
    return this.#db
      .prepare(
        `UPDATE outbox SET dropped = ? WHERE call_id = ? AND delivered_at IS NULL AND dropped IS NULL AND kind NOT IN (${placeholders})`,
      )
      .run(reason, callId, ...keepKinds).changes;
  }

  counts(): { pending: number; delivered: number; dropped: number } {
    const row = this.#db
      .prepare(
        `SELECT SUM(delivered_at IS NULL AND dropped IS NULL) AS pending, SUM(delivered_at IS NOT NULL) AS delivered, SUM(dropped IS NOT NULL) AS dropped FROM outbox`,
      )
      .get() as { pending: number | null; delivered: number | null; dropped: number | null };
    return { pending: row.pending ?? 0, delivered: row.delivered ?? 0, dropped: row.dropped ?? 0 };
  }

  close(): void {
    this.#db.close();
  }
}
