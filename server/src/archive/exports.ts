// Bulk export of stored calls (reports and transcripts) under four eyes: one
// compliance officer asks, with a reason; a different one approves; only those
// two may download it, with a reason. Every step is audited per call.
import { randomUUID } from 'node:crypto';
import { ExportStatus, type ArchivedCallSummary } from '#protocol/archive';
import { AppError } from '#protocol/errors';
import type { TranscriptSegment } from '#protocol/events';
import type { Report } from '#protocol/report';
import type { StaffPrincipal } from '../auth/tokens.ts';
import type { RedisClient } from '../redis/client.ts';
import type { ArchiveAction } from './access-policy.ts';
import type { AuditLog } from './audit-log.ts';
import type { ArchiveKeys } from './keys.ts';

export interface ExportBundle {
  export: ExportStatus;
  calls: { callId: string; head?: unknown; report?: Report; transcript: TranscriptSegment[] }[];
}

export class BulkExports {
  constructor(
    private readonly d: {
      redis: RedisClient;
      keys: ArchiveKeys;
      audit: AuditLog;
      /** The archive's audited access check. */
      authorize: (
        p: StaffPrincipal,
        action: ArchiveAction,
        callId: string | undefined,
        reason: string | undefined,
        detail?: string,
      ) => Promise<ArchivedCallSummary | undefined>;
      report: (callId: string) => Promise<Report | undefined>;
      transcript: (callId: string) => Promise<TranscriptSegment[]>;
    },
  ) {}

  async request(p: StaffPrincipal, callIds: string[], reason: string): Promise<ExportStatus> {
    for (const id of callIds) await this.d.authorize(p, 'export.request', id, reason);
    const status: ExportStatus = {
      id: randomUUID(),
      callIds,
      requestedBy: p.userId,
      status: 'pending',
      createdAt: Date.now(),
    };
    await this.d.redis.hSet(this.d.keys.export(status.id), { json: JSON.stringify(status), reason });
    return status;
  }

  async status(id: string): Promise<ExportStatus> {
    const raw = await this.d.redis.hGet(this.d.keys.export(id), 'json');
    if (!raw) throw new AppError('not_found', `no export ${id}`);
    return ExportStatus.parse(JSON.parse(raw));
  }

  /** A second compliance officer — never the requester — approves. */
  async approve(p: StaffPrincipal, id: string): Promise<ExportStatus> {
    const status = await this.status(id);
    if (status.requestedBy === p.userId) {
      for (const callId of status.callIds) {
        await this.d.audit.append({
          actor: p.userId,
          actorRole: p.role,
          action: 'export.approve',
          outcome: 'denied',
          callId,
          detail: `export ${id}: the requester cannot approve`,
        });
      }
      throw new AppError('forbidden', 'a bulk export needs a second approver', { reason: 'same_person' });
    }
    for (const callId of status.callIds)
      await this.d.authorize(p, 'export.approve', callId, undefined, `export ${id}`);
    const approved: ExportStatus = { ...status, status: 'approved', approvedBy: p.userId };
    await this.d.redis.hSet(this.d.keys.export(id), 'json', JSON.stringify(approved));
    return approved;
  }

  async download(p: StaffPrincipal, id: string, reason: string | undefined): Promise<ExportBundle> {
    const status = await this.status(id);
    if (status.status !== 'approved')
      throw new AppError('conflict', 'export not approved yet', { reason: 'not_approved' });
    if (p.userId !== status.requestedBy && p.userId !== status.approvedBy)
      throw new AppError('forbidden', 'only the requester or the approver may download an export', {
        reason: 'not_party',
      });
    const calls: ExportBundle['calls'] = [];
    for (const callId of status.callIds) {
      const s = (await this.d.authorize(p, 'export.download', callId, reason, `export ${id}`))!;
      const report = await this.d.report(callId);
      calls.push({
        callId,
        ...(s.head ? { head: s.head } : {}),
        ...(report ? { report } : {}),
        transcript: await this.d.transcript(callId),
      });
    }
    return { export: status, calls };
  }
}
