// The cloud's call archive: receives what edges deliver, and serves stored
// calls to staff only through audited decisions — every report, transcript,
// playback, download, export and hold is checked (role, branch, reason) and
// written to the append-only audit log, granted or not.
import type { Logger } from '#common/logger';
import {
  AuditAction,
  type ArchiveHelloAck,
  type ArchivedCallSummary,
  type AuditEntry,
  type OutboxDelivery,
  type PlaybackResponse,
} from '#protocol/archive';
import { AppError } from '#protocol/errors';
import { TranscriptSegment } from '#protocol/events';
import { Report } from '#protocol/report';
import type { StaffPrincipal } from '../auth/tokens.ts';
import type { CallEvents } from '../calls/call-events.ts';
import type { CallStore } from '../calls/call-store.ts';
import type { RedisClient } from '../redis/client.ts';
import { decide, refusal, type ArchiveAction } from './access-policy.ts';
import { CloudArchiveStore } from './archive-store.ts';
import { AuditLog, type AuditQuery } from './audit-log.ts';
import type { CloudArchiveConfig } from './config.ts';
import { EdgeCommands } from './edge-commands.ts';
import { BulkExports } from './exports.ts';
import { GrantSigner } from './grants.ts';
import { ArchiveKeys } from './keys.ts';
import { SealKeys } from './seal-keys.ts';

export interface MediaResponse {
  status: 200 | 206;
  headers: Record<string, string>;
  body: Buffer;
}

/** Longest answer to one range request; players ask again for the rest. */
const MAX_RANGE = 256 * 1024;

export class ArchiveService {
  readonly keys: ArchiveKeys;
  readonly audit: AuditLog;
  readonly seal: SealKeys;
  readonly store: CloudArchiveStore;
  readonly commands: EdgeCommands;
  readonly grants: GrantSigner;
  /** Bulk exports: a second compliance officer approves (server/src/archive/exports.ts). */
  readonly exports: BulkExports;

  constructor(
    private readonly d: {
      redis: RedisClient;
      prefix: string;
      config: CloudArchiveConfig;
      jwtSecret: string;
      callStore: CallStore;
      callEvents: CallEvents;
      logger: Logger;
    },
  ) {
    this.keys = new ArchiveKeys(d.prefix);
    this.audit = new AuditLog(d.redis, this.keys);
    this.seal = new SealKeys(d.config.keyDir);
    this.store = new CloudArchiveStore(d.redis, this.keys, d.config.dir, this.seal, this.audit, d.logger);
    this.commands = new EdgeCommands(d.redis, this.keys, d.config.readTimeoutMs, d.logger);
    this.grants = new GrantSigner(d.jwtSecret, d.config.grantTtlS);
    this.exports = new BulkExports({
      redis: d.redis,
      keys: this.keys,
      audit: this.audit,
      authorize: (p, action, callId, reason, detail) => this.authorize(p, action, callId, reason, detail),
      report: (callId) => this.#report(callId),
      transcript: (callId) => this.#transcript(callId),
    });
  }

  // ---- edges ------------------------------------------------------------------------

  async hello(edgeId: string): Promise<ArchiveHelloAck> {
    return { sealPublicKey: await this.seal.publicKeyPem(), commands: await this.commands.pending(edgeId) };
  }

  deliver(
    edge: { edgeId: string; branchId: string },
    d: OutboxDelivery,
  ): Promise<{ complete: boolean; duplicate: boolean }> {
    return this.store.deliver(edge, d, async (e, item, body) => {
      if (item.kind === 'audit' && body) {
        const entry = JSON.parse(body.toString()) as {
          actor?: string;
          actorRole?: string;
          action?: string;
          callId?: string;
          reason?: string;
          outcome?: string;
          detail?: string;
          at?: number;
        };
        const action = AuditAction.safeParse(entry.action);
        await this.audit.append({
          actor: `edge:${e.edgeId}${entry.actor ? `/${entry.actor}` : ''}`,
          actorRole: entry.actorRole ?? 'edge',
          action: action.success ? action.data : 'edge.read',
          outcome: entry.outcome === 'denied' ? 'denied' : entry.outcome === 'granted' ? 'granted' : 'done',
          branchId: e.branchId,
          ...(entry.callId && entry.callId !== '-' ? { callId: entry.callId } : {}),
          ...(entry.reason ? { reason: entry.reason } : {}),
          ...(entry.detail ? { detail: entry.detail } : {}),
          ...(entry.at ? { at: entry.at } : {}),
        });
      }
      if (item.kind === 'alert' && body) {
        const call = await this.d.callStore.get(item.callId);
        if (call && call.edgeId === e.edgeId)
          await this.d.callEvents.record(
            call,
            'alert.raised',
            JSON.parse(body.toString()) as Record<string, unknown>,
          );
      }
    });
  }

  // ---- access -----------------------------------------------------------------------

  /** Checks and audits one access; returns the call's summary (for call-scoped actions). */
  async authorize(
    p: StaffPrincipal,
    action: ArchiveAction,
    callId: string | undefined,
    reason: string | undefined,
    detail?: string,
  ): Promise<ArchivedCallSummary | undefined> {
    const summary = callId ? await this.store.summary(callId) : undefined;
    if (callId && !summary) {
      await this.audit.append({
        actor: p.userId,
        actorRole: p.role,
        action,
        outcome: 'denied',
        callId,
        ...(reason ? { reason } : {}),
        detail: 'no such archived call',
      });
      throw new AppError('not_found', `no archived call ${callId}`);
    }
    const decision = decide(p, action, summary?.branchId, reason);
    await this.audit.append({
      actor: p.userId,
      actorRole: p.role,
      action,
      outcome: decision.ok ? 'granted' : 'denied',
      ...(callId ? { callId } : {}),
      ...(summary?.branchId ? { branchId: summary.branchId } : {}),
      ...(reason ? { reason } : {}),
      ...(detail || decision.message ? { detail: detail ?? decision.message } : {}),
    });
    if (!decision.ok) throw refusal(decision);
    return summary;
  }

  async report(
    p: StaffPrincipal,
    callId: string,
    format: 'json' | 'html',
    reason: string | undefined,
  ): Promise<Report | string> {
    await this.authorize(p, 'report.view', callId, reason, format);
    const file = await this.store.field(callId, format === 'json' ? 'reportFile' : 'report-htmlFile');
    if (!file) throw new AppError('not_found', `no report for call ${callId} yet`);
    const plain = await this.store.read(callId, file);
    return format === 'json' ? Report.parse(JSON.parse(plain.toString())) : plain.toString();
  }

  async transcript(
    p: StaffPrincipal,
    callId: string,
    reason: string | undefined,
  ): Promise<TranscriptSegment[]> {
    await this.authorize(p, 'transcript.view', callId, reason);
    return this.#transcript(callId);
  }

  async #report(callId: string): Promise<Report | undefined> {
    const file = await this.store.field(callId, 'reportFile');
    return file ? Report.parse(JSON.parse((await this.store.read(callId, file)).toString())) : undefined;
  }

  async #transcript(callId: string): Promise<TranscriptSegment[]> {
    const file = await this.store.field(callId, 'transcriptFile');
    if (!file) return [];
    return TranscriptSegment.array().parse(JSON.parse((await this.store.read(callId, file)).toString()));
  }

  /** Everything the compliance officer's player needs: a media URL, the transcript, the evidence to jump to. */
  async playback(p: StaffPrincipal, callId: string, reason: string | undefined): Promise<PlaybackResponse> {
    await this.authorize(p, 'media.play', callId, reason, 'composite');
    const { token, expiresAt } = this.grants.sign({
      sub: p.userId,
      callId,
      file: 'composite',
      purpose: 'play',
    });
    const transcript = (await this.#transcript(callId)).map((s) => ({
      role: s.role,
      startMs: s.startMs,
      endMs: s.endMs,
      text: s.text,
    }));
    const evidence: PlaybackResponse['evidence'] = [];
    const reportFile = await this.store.field(callId, 'reportFile');
    if (reportFile) {
      const report = Report.parse(JSON.parse((await this.store.read(callId, reportFile)).toString()));
      for (const c of report.checks)
        for (const e of c.evidence)
          evidence.push({
            atMs: e.startMs,
            endMs: e.endMs,
            label: `${c.status}: ${c.title ?? c.id}`,
            source: 'check',
          });
      for (const a of report.alerts) evidence.push({ atMs: a.atMs, label: a.checkId, source: 'alert' });
    }
    for (const f of Object.values(await this.store.files(callId))) {
      if (f.kind === 'clip' && typeof f.meta.atMs === 'number')
        evidence.push({ atMs: f.meta.atMs, label: String(f.meta.reason ?? 'flagged'), source: 'flag' });
    }
    evidence.sort((a, b) => a.atMs - b.atMs);
    return {
      callId,
      mediaUrl: `/api/v1/archive/media/${encodeURIComponent(callId)}?grant=${encodeURIComponent(token)}`,
      expiresAt,
      transcript,
      evidence,
    };
  }

  async downloadGrant(
    p: StaffPrincipal,
    callId: string,
    file: string,
    reason: string | undefined,
  ): Promise<{ url: string; expiresAt: number }> {
    await this.authorize(p, 'media.download', callId, reason, file);
    const { token, expiresAt } = this.grants.sign({ sub: p.userId, callId, file, purpose: 'download' });
    return {
      url: `/api/v1/archive/media/${encodeURIComponent(callId)}?grant=${encodeURIComponent(token)}`,
      expiresAt,
    };
  }

  /** Serves a byte range of a granted file: from the cloud's own copy when it has one, else read through the edge. */
  async media(
    grantToken: string | undefined,
    callId: string,
    rangeHeader: string | undefined,
  ): Promise<MediaResponse> {
    const grant = this.grants.verify(grantToken);
    if (grant.callId !== callId)
      throw new AppError('forbidden', 'grant is for another call', { reason: 'wrong_call' });
    const summary = await this.store.require(callId);
    if (summary.shredded)
      throw new AppError('not_found', `call ${callId} was crypto-shredded`, { reason: 'shredded' });
    const range = parseRange(rangeHeader);
    const start = range?.start ?? 0;
    const wanted = range?.end !== undefined ? range.end + 1 - start : MAX_RANGE;
    const length = Math.max(1, Math.min(MAX_RANGE, wanted));
    const local = grant.file !== 'composite' && (await this.store.holds(callId, grant.file));
    const { data, total, contentType } = local
      ? {
          ...(await this.store.readRange(callId, grant.file, start, start + length)),
          contentType: contentTypeOf(grant.file),
        }
      : await this.commands.read(summary.edgeId, {
          callId,
          file: grant.file,
          offset: start,
          length,
          actor: grant.sub,
        });
    if (start >= total && total > 0)
      throw new AppError('bad_request', `range starts beyond the end (${total} bytes)`, {
        reason: 'range_not_satisfiable',
        total,
      });
    const headers: Record<string, string> = {
      'content-type': contentType,
      'accept-ranges': 'bytes',
      'cache-control': 'private, no-store',
      ...(grant.purpose === 'download'
        ? {
            'content-disposition': `attachment; filename="${callId}-${grant.file
              .split('/')
              .pop()!
              .replace(/\.bea$/, '')}"`,
          }
        : {}),
    };
    if (!range && data.length === total)
      return { status: 200, headers: { ...headers, 'content-length': String(total) }, body: data };
    return {
      status: 206,
      headers: {
        ...headers,
        'content-range': `bytes ${start}-${start + data.length - 1}/${total}`,
        'content-length': String(data.length),
      },
      body: data,
    };
  }

  async requestFull(
    p: StaffPrincipal,
    callId: string,
    reason: string | undefined,
  ): Promise<{ commandId: string }> {
    const s = (await this.authorize(p, 'recording.request-full', callId, reason))!;
    const cmd = await this.commands.send(s.edgeId, { type: 'request-full', callId, requestedBy: p.userId });
    return { commandId: cmd.id };
  }

  async hold(
    p: StaffPrincipal,
    callId: string,
    reason: string | undefined,
    on: boolean,
  ): Promise<{ commandId: string }> {
    const s = (await this.authorize(p, on ? 'hold.set' : 'hold.release', callId, reason))!;
    await this.store.setField(callId, { hold: on ? '1' : '' });
    const cmd = await this.commands.send(s.edgeId, {
      type: on ? 'hold' : 'release',
      callId,
      by: p.userId,
      reason: reason ?? '',
    });
    return { commandId: cmd.id };
  }

  async rotateEdgeKek(
    p: StaffPrincipal,
    edgeId: string,
    reason: string | undefined,
  ): Promise<{ commandId: string }> {
    await this.authorize(p, 'kek.rotate', undefined, reason, `edge ${edgeId}`);
    const cmd = await this.commands.send(edgeId, { type: 'rotate-kek', by: p.userId });
    return { commandId: cmd.id };
  }

  async rotateSealKey(
    p: StaffPrincipal,
    reason: string | undefined,
  ): Promise<{ kid: string; resealed: number; retired: number }> {
    await this.authorize(p, 'kek.rotate', undefined, reason, 'cloud seal key');
    const r = await this.seal.rotate();
    return { kid: r.kid, resealed: r.resealed, retired: r.retired.length };
  }

  async queryAudit(p: StaffPrincipal, q: AuditQuery): Promise<AuditEntry[]> {
    await this.authorize(
      p,
      'audit.query',
      undefined,
      undefined,
      JSON.stringify({ callId: q.callId, actor: q.actor, action: q.action }),
    );
    return this.audit.query(q);
  }

  async listCalls(p: StaffPrincipal): Promise<ArchivedCallSummary[]> {
    if (p.role !== 'compliance' && p.role !== 'manager')
      throw new AppError('forbidden', `role ${p.role} may not list archived calls`, { reason: 'wrong_role' });
    const out: ArchivedCallSummary[] = [];
    for (const id of await this.store.list()) {
      const s = await this.store.summary(id);
      if (s && (!p.branchId || s.branchId === p.branchId)) out.push(s);
    }
    return out;
  }
}

function parseRange(header: string | undefined): { start: number; end?: number } | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d+)-(\d*)$/.exec(header.trim());
  if (!m)
    throw new AppError('bad_request', `unsupported Range: ${header}`, { reason: 'range_not_satisfiable' });
  return { start: Number(m[1]), ...(m[2] ? { end: Number(m[2]) } : {}) };
}

function contentTypeOf(file: string): string {
  const f = file.replace(/\.bea$/, '');
  if (f.endsWith('.mp4')) return 'video/mp4';
  if (f.endsWith('.webm')) return 'video/webm';
  if (f.endsWith('.mkv')) return 'video/x-matroska';
  if (f.endsWith('.json')) return 'application/json';
  return 'application/octet-stream';
}
