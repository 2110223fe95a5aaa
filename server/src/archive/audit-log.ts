// The cloud's append-only audit log: a Redis stream nobody trims or edits
// (there is no API that deletes from it). Every access to stored calls — granted
// or refused — and every retention action reported by an edge is one entry:
// who (a user id, never a name), what, when, why.
import { AuditEntry, type AuditAction } from '#protocol/archive';
import type { RedisClient } from '../redis/client.ts';
import type { ArchiveKeys } from './keys.ts';

export interface AuditInput {
  actor: string;
  actorRole: string;
  action: AuditAction;
  callId?: string;
  branchId?: string;
  reason?: string;
  outcome: AuditEntry['outcome'];
  detail?: string;
  at?: number;
}

export interface AuditQuery {
  callId?: string;
  actor?: string;
  action?: AuditAction;
  /** Stream id to resume after. */
  after?: string;
  limit: number;
}

export class AuditLog {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: ArchiveKeys,
  ) {}

  async append(e: AuditInput): Promise<string> {
    const fields: Record<string, string> = {
      at: String(e.at ?? Date.now()),
      actor: e.actor,
      actorRole: e.actorRole,
      action: e.action,
      outcome: e.outcome,
    };
    for (const k of ['callId', 'branchId', 'reason', 'detail'] as const)
      if (e[k]) fields[k] = String(e[k]).slice(0, 500);
    return this.redis.xAdd(this.keys.audit(), '*', fields);
  }

  /** Entries oldest first, filtered; scans forward from `after` until `limit` matches. */
  async query(q: AuditQuery): Promise<AuditEntry[]> {
    const out: AuditEntry[] = [];
    let start = q.after ? `(${q.after}` : '-';
    for (;;) {
      const batch = await this.redis.xRange(this.keys.audit(), start, '+', { COUNT: 500 });
      for (const e of batch) {
        const m = e.message;
        if (q.callId && m.callId !== q.callId) continue;
        if (q.actor && m.actor !== q.actor) continue;
        if (q.action && m.action !== q.action) continue;
        out.push(
          AuditEntry.parse({
            id: e.id,
            at: Number(m.at),
            actor: m.actor,
            actorRole: m.actorRole,
            action: m.action,
            outcome: m.outcome,
            ...(m.callId ? { callId: m.callId } : {}),
            ...(m.branchId ? { branchId: m.branchId } : {}),
            ...(m.reason ? { reason: m.reason } : {}),
            ...(m.detail ? { detail: m.detail } : {}),
          }),
        );
        if (out.length >= q.limit) return out;
      }
      if (batch.length < 500) return out;
      start = `(${batch.at(-1)!.id}`;
    }
  }
}
