// The archive's REST routes (/api/v1/archive/...): audited access to stored
// calls — reports, transcripts, playback with HTTP range requests, downloads,
// full recordings on demand, legal holds, four-eyes bulk exports, the audit log
// itself and key rotation. Every decision is in the audit log (docs/security.md).
import { z } from 'zod';
import {
  AccessReason,
  ArchivedCallSummary,
  AuditAction,
  AuditEntry,
  ExportRequest,
  ExportStatus,
  PlaybackResponse,
} from '#protocol/archive';
import { TranscriptSegment } from '#protocol/events';
import { Report } from '#protocol/report';
import type { ArchiveService } from '../archive/archive-service.ts';
import type { ApiRouter } from './api-router.ts';
import { staffOf } from './principals.ts';

const ReasonQuery = z.object({ reason: z.string().max(500).optional() });
const Command = z.object({ commandId: z.string() });

export function archiveRoutes(api: ApiRouter, archive: ArchiveService): void {
  const staff = { kinds: ['staff'] as const };
  const tag = 'archive';

  api.add({
    method: 'get',
    path: '/archive/calls',
    tag,
    summary: 'Archived calls in your scope (metadata only: head, items received, hold, shredded).',
    auth: staff,
    response: z.array(ArchivedCallSummary),
    handler: async ({ principal }) => archive.listCalls(staffOf(principal)),
  });
  api.add({
    method: 'get',
    path: '/archive/calls/:callId/report',
    tag,
    summary: 'The inspection report (JSON, or `format=html`). Managers: own branch. Audited.',
    auth: staff,
    query: ReasonQuery.extend({ format: z.enum(['json', 'html']).default('json') }),
    response: z.union([Report, z.string()]),
    handler: async ({ params, query, principal, res }) => {
      const out = await archive.report(staffOf(principal), params.callId ?? '', query.format, query.reason);
      if (typeof out === 'string') {
        res.status(200).type('html').send(out);
        return out;
      }
      return out;
    },
  });
  api.add({
    method: 'get',
    path: '/archive/calls/:callId/transcript',
    tag,
    summary: 'The final transcript. Compliance only, with a reason. Audited.',
    auth: staff,
    query: ReasonQuery,
    response: z.array(TranscriptSegment),
    handler: async ({ params, query, principal }) =>
      archive.transcript(staffOf(principal), params.callId ?? '', query.reason),
  });
  api.add({
    method: 'post',
    path: '/archive/calls/:callId/playback',
    tag,
    summary:
      'Open a recorded call in the player: a short-lived media URL (composite, HTTP range requests), the transcript and the evidence to jump to. Audited.',
    auth: staff,
    body: AccessReason,
    response: PlaybackResponse,
    handler: async ({ params, body, principal }) =>
      archive.playback(staffOf(principal), params.callId ?? '', body.reason),
  });
  api.add({
    method: 'post',
    path: '/archive/calls/:callId/download',
    tag,
    summary:
      'A short-lived download URL for one stored file (`composite`, a clip or a segment path). Audited.',
    auth: staff,
    body: AccessReason.extend({ file: z.string().min(1).max(300).default('composite') }),
    response: z.object({ url: z.string(), expiresAt: z.number() }),
    handler: async ({ params, body, principal }) =>
      archive.downloadGrant(staffOf(principal), params.callId ?? '', body.file, body.reason),
  });
  api.add({
    method: 'get',
    path: '/archive/media/:callId',
    tag,
    summary:
      'Media bytes for a grant (from /playback or /download), with HTTP Range support (206 Partial Content).',
    auth: 'public',
    query: z.object({ grant: z.string().optional() }),
    response: z.any(),
    handler: async ({ params, query, req, res }) => {
      const out = await archive.media(query.grant, params.callId ?? '', req.headers.range);
      res.status(out.status).set(out.headers).end(out.body);
      return undefined;
    },
  });
  api.add({
    method: 'post',
    path: '/archive/calls/:callId/request-full',
    tag,
    summary:
      "Ask the call's edge to upload the full recording (e.g. for a dispute). Compliance, with a reason. Audited.",
    auth: staff,
    body: AccessReason,
    response: Command,
    status: 202,
    handler: async ({ params, body, principal }) =>
      archive.requestFull(staffOf(principal), params.callId ?? '', body.reason),
  });
  api.add({
    method: 'post',
    path: '/archive/calls/:callId/hold',
    tag,
    summary: 'Place a legal hold: retention will not delete the call until released. Audited.',
    auth: staff,
    body: AccessReason,
    response: Command,
    status: 202,
    handler: async ({ params, body, principal }) =>
      archive.hold(staffOf(principal), params.callId ?? '', body.reason, true),
  });
  api.add({
    method: 'post',
    path: '/archive/calls/:callId/hold/release',
    tag,
    summary: 'Release a legal hold. Audited.',
    auth: staff,
    body: AccessReason,
    response: Command,
    status: 202,
    handler: async ({ params, body, principal }) =>
      archive.hold(staffOf(principal), params.callId ?? '', body.reason, false),
  });
  api.add({
    method: 'post',
    path: '/archive/exports',
    tag,
    summary: 'Request a bulk export (reports and transcripts of several calls); it needs a second approver.',
    auth: staff,
    body: ExportRequest,
    response: ExportStatus,
    status: 201,
    handler: async ({ body, principal }) =>
      archive.exports.request(staffOf(principal), body.callIds, body.reason),
  });
  api.add({
    method: 'post',
    path: '/archive/exports/:exportId/approve',
    tag,
    summary: 'Approve a bulk export (a different compliance officer than the requester). Audited.',
    auth: staff,
    response: ExportStatus,
    handler: async ({ params, principal }) =>
      archive.exports.approve(staffOf(principal), params.exportId ?? ''),
  });
  api.add({
    method: 'get',
    path: '/archive/exports/:exportId',
    tag,
    summary: 'Download an approved export (requester or approver, with a reason). Audited per call.',
    auth: staff,
    query: ReasonQuery,
    response: z.object({
      export: ExportStatus,
      calls: z.array(
        z.object({
          callId: z.string(),
          head: z.unknown().optional(),
          report: Report.optional(),
          transcript: z.array(TranscriptSegment),
        }),
      ),
    }),
    handler: async ({ params, query, principal }) =>
      archive.exports.download(staffOf(principal), params.exportId ?? '', query.reason),
  });
  api.add({
    method: 'get',
    path: '/archive/audit',
    tag,
    summary:
      'The append-only audit log (who, what, when, why), oldest first; `after` resumes. Compliance only; the query itself is audited.',
    auth: staff,
    query: z.object({
      callId: z.string().optional(),
      actor: z.string().optional(),
      action: AuditAction.optional(),
      after: z.string().optional(),
      limit: z.coerce.number().int().positive().max(5000).default(500),
    }),
    response: z.array(AuditEntry),
    handler: async ({ query, principal }) => archive.queryAudit(staffOf(principal), query),
  });
  api.add({
    method: 'post',
    path: '/archive/edges/:edgeId/rotate-kek',
    tag,
    summary:
      "Rotate an edge's key-encryption key: its data keys are re-wrapped, recordings untouched. Ops, with a reason. Audited.",
    auth: staff,
    body: AccessReason,
    response: Command,
    status: 202,
    handler: async ({ params, body, principal }) =>
      archive.rotateEdgeKek(staffOf(principal), params.edgeId ?? '', body.reason),
  });
  api.add({
    method: 'post',
    path: '/archive/seal-key/rotate',
    tag,
    summary:
      "Rotate the cloud's archive key pair: stored data keys are re-sealed, the old private key destroyed. Ops, with a reason. Audited.",
    auth: staff,
    body: AccessReason,
    response: z.object({ kid: z.string(), resealed: z.number(), retired: z.number() }),
    handler: async ({ body, principal }) => archive.rotateSealKey(staffOf(principal), body.reason),
  });
}
