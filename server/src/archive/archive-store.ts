// What the cloud keeps of each call: the items edges deliver through their
// outboxes, stored as they come (ciphertext under the call's data key; files
// on ARCHIVE_CLOUD_DIR, the index in Redis). Delivery is idempotent by item id
// and part; an item's effects (file, index, head) are idempotent too, and the
// first completion — and only that one — is written to the `received` stream.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Logger } from '#common/logger';
import { ManifestHead, SealedKey, type ArchivedCallSummary, type OutboxDelivery } from '#protocol/archive';
import { AppError } from '#protocol/errors';
import { BlobReader, readBlob } from '#common/archive/blob';
import { verifySignature } from '#common/archive/EdgeSigner';
import { headSigningBytes } from '#common/archive/canonical';
import { fileSafe, resolveInCall } from '#common/archive/paths';
import type { RedisClient } from '../redis/client.ts';
import type { AuditLog } from './audit-log.ts';
import type { ArchiveKeys } from './keys.ts';
import type { SealKeys } from './seal-keys.ts';

export const StoredFile = z.object({
  kind: z.string(),
  sha256: z.string(),
  size: z.number(),
  seq: z.number().optional(),
  meta: z.record(z.string(), z.unknown()).default({}),
});
export type StoredFile = z.infer<typeof StoredFile>;

/** Called once per item, the first time it is complete (alerts become call events). */
export type OnComplete = (
  edge: { edgeId: string; branchId: string },
  d: OutboxDelivery,
  body: Buffer | undefined,
) => Promise<void>;

export class CloudArchiveStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: ArchiveKeys,
    private readonly dir: string,
    private readonly seal: SealKeys,
    private readonly audit: AuditLog,
    private readonly logger: Logger,
  ) {}

  #callDir(edgeId: string, callId: string): string {
    return path.join(this.dir, fileSafe(edgeId), fileSafe(callId));
  }

  /** Stores one part; when the item is complete, applies it. Safe to call again with the same part. */
  async deliver(
    edge: { edgeId: string; branchId: string },
    d: OutboxDelivery,
    onComplete: OnComplete,
  ): Promise<{ complete: boolean; duplicate: boolean }> {
    const itemKey = this.keys.item(edge.edgeId, d.id);
    if (await this.redis.hExists(itemKey, 'completedAt')) return { complete: true, duplicate: true };
    const owner = await this.redis.hGet(this.keys.call(d.callId), 'edgeId');
    if (owner && owner !== edge.edgeId && d.callId !== '-')
      throw new AppError('forbidden', `call ${d.callId} belongs to another edge`, { reason: 'wrong_edge' });
    const partsDir = path.join(
      this.dir,
      '.parts',
      fileSafe(edge.edgeId),
      createHash('sha256').update(d.id).digest('hex').slice(0, 32),
    );
    await mkdir(partsDir, { recursive: true, mode: 0o700 });
    await writeFile(path.join(partsDir, String(d.part)), d.data ?? Buffer.alloc(0), { mode: 0o600 });
    await this.redis.sAdd(this.keys.itemParts(edge.edgeId, d.id), String(d.part));
    const have = await this.redis.sCard(this.keys.itemParts(edge.edgeId, d.id));
    if (have < d.parts) return { complete: false, duplicate: false };

    const body = Buffer.concat(
      await Promise.all(Array.from({ length: d.parts }, (_, i) => readFile(path.join(partsDir, String(i))))),
    );
    const sha = createHash('sha256').update(body).digest('hex');
    if (sha !== d.sha256 || body.length !== d.size) {
      await this.redis.del(this.keys.itemParts(edge.edgeId, d.id));
      await rm(partsDir, { recursive: true, force: true });
      throw new AppError('bad_request', `item ${d.id}: SHA-256 or size mismatch; send it again`, {
        reason: 'corrupt',
      });
    }
    await this.#apply(edge, d, body);
    await onComplete(edge, d, body);
    const first = await this.redis.hSetNX(itemKey, 'completedAt', String(Date.now()));
    if (first) {
      await this.redis.hSet(itemKey, {
        kind: d.kind,
        callId: d.callId,
        size: String(d.size),
        sha256: d.sha256,
      });
      await this.redis.xAdd(this.keys.received(), '*', {
        edgeId: edge.edgeId,
        id: d.id,
        kind: d.kind,
        callId: d.callId,
      });
    }
    await this.redis.del(this.keys.itemParts(edge.edgeId, d.id));
    await rm(partsDir, { recursive: true, force: true });
    return { complete: true, duplicate: !first };
  }

  async #apply(edge: { edgeId: string; branchId: string }, d: OutboxDelivery, body: Buffer): Promise<void> {
    const callKey = this.keys.call(d.callId);
    const now = Date.now();
    if (d.kind === 'audit') return; // written to the audit stream by the handler
    await this.redis.hSetNX(callKey, 'edgeId', edge.edgeId);
    await this.redis.hSetNX(callKey, 'branchId', edge.branchId);
    await this.redis.zAdd(this.keys.calls(), { score: now, value: d.callId });
    switch (d.kind) {
      case 'datakey':
        await this.seal.storeSealed(d.callId, SealedKey.parse(JSON.parse(body.toString())));
        return;
      case 'manifest-head': {
        const head = ManifestHead.parse(JSON.parse(body.toString()));
        if (head.callId !== d.callId || head.edgeId !== edge.edgeId)
          throw new AppError('forbidden', 'manifest head for another call or edge', { reason: 'wrong_edge' });
        // The first key an edge signs with is pinned; heads signed by any other key are refused.
        await this.redis.set(this.keys.edgeKey(edge.edgeId), head.publicKey, { NX: true } as never);
        const pinned = await this.redis.get(this.keys.edgeKey(edge.edgeId));
        if (pinned !== head.publicKey || !verifySignature(pinned, headSigningBytes(head), head.signature)) {
          throw new AppError(
            'forbidden',
            `manifest head of ${d.callId} is not signed by ${edge.edgeId}'s key`,
            { reason: 'bad_signature' },
          );
        }
        const current = await this.redis.hGet(callKey, 'headSeq');
        if (current === undefined || current === null || Number(current) < head.seq)
          await this.redis.hSet(callKey, {
            headSeq: String(head.seq),
            head: JSON.stringify(head),
            updatedAt: String(now),
          });
        return;
      }
      case 'alert':
        await this.redis.rPush(this.keys.callAlerts(d.callId), body.toString());
        return;
      case 'shredded':
        await this.shred(edge.edgeId, d.callId);
        return;
      default: {
        // Files: report, report-html, transcript, clip, segment, composite, manifest.
        const relative = d.kind === 'manifest' ? 'manifest.jsonl' : String(d.meta.file ?? '');
        if (!relative) throw new AppError('bad_request', `item ${d.id} has no file name`);
        const target = resolveInCall(this.#callDir(edge.edgeId, d.callId), relative);
        await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
        await writeFile(`${target}.tmp`, body, { mode: 0o600 });
        await rename(`${target}.tmp`, target);
        // With a full recording the cloud's copy verifies on its own (`npm run verify`).
        if (d.kind === 'manifest' && d.meta.head)
          await writeFile(
            path.join(path.dirname(target), 'manifest.head.json'),
            JSON.stringify(ManifestHead.parse(d.meta.head)),
            { mode: 0o600 },
          );
        const seq = typeof d.meta.seq === 'number' ? d.meta.seq : undefined;
        await this.redis.hSet(
          this.keys.callFiles(d.callId),
          relative,
          JSON.stringify({
            kind: d.kind,
            sha256: d.sha256,
            size: d.size,
            ...(seq === undefined ? {} : { seq }),
            meta: d.meta,
          }),
        );
        if (['report', 'report-html', 'transcript', 'events'].includes(d.kind)) {
          // The latest version (highest manifest seq) wins.
          const field = `${d.kind}File`;
          const prev = await this.redis.hGet(callKey, `${field}Seq`);
          if (prev === undefined || prev === null || Number(prev) < (seq ?? 0))
            await this.redis.hSet(callKey, { [field]: relative, [`${field}Seq`]: String(seq ?? 0) });
        }
        await this.redis.hSet(callKey, 'updatedAt', String(now));
      }
    }
  }

  async summary(callId: string): Promise<ArchivedCallSummary | undefined> {
    const h = await this.redis.hGetAll(this.keys.call(callId));
    if (!h.edgeId) return undefined;
    const files = await this.files(callId);
    const items: Record<string, number> = {};
    for (const f of Object.values(files)) items[f.kind] = (items[f.kind] ?? 0) + 1;
    return {
      callId,
      edgeId: h.edgeId,
      branchId: h.branchId ?? '',
      ...(h.head ? { head: ManifestHead.parse(JSON.parse(h.head)) } : {}),
      items,
      hold: Boolean(h.hold),
      shredded: Boolean(h.shreddedAt),
      updatedAt: Number(h.updatedAt ?? 0),
    };
  }

  async require(callId: string): Promise<ArchivedCallSummary> {
    const s = await this.summary(callId);
    if (!s) throw new AppError('not_found', `no archived call ${callId}`);
    return s;
  }

  async list(limit = 200): Promise<string[]> {
    return this.redis.zRange(this.keys.calls(), 0, limit - 1, { REV: true } as never);
  }

  async files(callId: string): Promise<Record<string, StoredFile>> {
    const raw = await this.redis.hGetAll(this.keys.callFiles(callId));
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, StoredFile.parse(JSON.parse(v))]));
  }

  async field(callId: string, name: string): Promise<string | undefined> {
    return (await this.redis.hGet(this.keys.call(callId), name)) ?? undefined;
  }

  async setField(callId: string, fields: Record<string, string>): Promise<void> {
    await this.redis.hSet(this.keys.call(callId), fields);
  }

  async alerts(callId: string): Promise<unknown[]> {
    return (await this.redis.lRange(this.keys.callAlerts(callId), 0, -1)).map(
      (a) => JSON.parse(a) as unknown,
    );
  }

  /** Decrypts a whole stored file (reports, transcripts). */
  async read(callId: string, relative: string): Promise<Buffer> {
    const s = await this.require(callId);
    if (s.shredded)
      throw new AppError('not_found', `call ${callId} was crypto-shredded`, { reason: 'shredded' });
    return readBlob(
      resolveInCall(this.#callDir(s.edgeId, callId), relative),
      await this.seal.dataKey(callId),
    );
  }

  /** Whether the cloud holds this file itself (clips, full recordings) rather than only the edge. */
  async holds(callId: string, relative: string): Promise<boolean> {
    const s = await this.summary(callId);
    return Boolean(s && !s.shredded && existsSync(resolveInCall(this.#callDir(s.edgeId, callId), relative)));
  }

  async readRange(
    callId: string,
    relative: string,
    start: number,
    end: number,
  ): Promise<{ data: Buffer; total: number }> {
    const s = await this.require(callId);
    const reader = await BlobReader.open(
      resolveInCall(this.#callDir(s.edgeId, callId), relative),
      await this.seal.dataKey(callId),
    );
    try {
      return { data: await reader.read(start, end), total: reader.size };
    } finally {
      await reader.close();
    }
  }

  /** Destroys the cloud's copy of the call's data key and deletes its ciphertext; the index and head stay. */
  async shred(edgeId: string, callId: string): Promise<void> {
    const shredded = await this.seal.shred(callId);
    const dir = this.#callDir(edgeId, callId);
    const removed = existsSync(dir) ? (await readdir(dir, { recursive: true })).length : 0;
    await rm(dir, { recursive: true, force: true });
    await this.redis.hSet(this.keys.call(callId), { shreddedAt: String(Date.now()) });
    await this.audit.append({
      actor: 'cloud',
      actorRole: 'system',
      action: 'retention.shred',
      callId,
      outcome: 'done',
      detail: `cloud copy: data key ${shredded ? 'destroyed' : 'absent'}, ${removed} files deleted`,
    });
    this.logger.info({ callId, edgeId }, 'cloud copy of call crypto-shredded');
  }
}
