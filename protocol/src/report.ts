// The dual-recording inspection report (shared/specs/dual-recording-checks.md):
// written by the edge when a call ends and by `npm run inspect`, stored with the
// call, sent to the cloud and rendered by the client. One schema for all of them.
import { z } from 'zod';
import { Severity } from './events.ts';
import { CallRole } from './roles.ts';

/**
 * Who the evidence comes from: a speaker role, `frame` for a video frame (OCR
 * text or face count) or `call` for a span of the call in which something
 * should have been said and was not.
 */
export const EvidenceSource = z.union([CallRole, z.enum(['frame', 'call'])]);
export type EvidenceSource = z.infer<typeof EvidenceSource>;

export const Evidence = z.object({
  role: EvidenceSource,
  startMs: z.number().nonnegative(),
  endMs: z.number().nonnegative(),
  text: z.string(),
});
export type Evidence = z.infer<typeof Evidence>;

export const ReportCheckStatus = z.enum(['pass', 'fail', 'not-applicable']);
export type ReportCheckStatus = z.infer<typeof ReportCheckStatus>;

export const ReportCheck = z.object({
  id: z.string(),
  /** Human title from the pack (not in the spec's minimal shape; always present here). */
  title: z.string().optional(),
  status: ReportCheckStatus,
  severity: Severity,
  evidence: z.array(Evidence),
  reason: z.string(),
});
export type ReportCheck = z.infer<typeof ReportCheck>;

export const ReportAlert = z.object({
  atMs: z.number().nonnegative(),
  checkId: z.string(),
  message: z.string(),
  severity: Severity.optional(),
});
export type ReportAlert = z.infer<typeof ReportAlert>;

export const ReportTranscriptLine = z.object({
  role: CallRole,
  startMs: z.number().nonnegative(),
  endMs: z.number().nonnegative(),
  text: z.string(),
});
export type ReportTranscriptLine = z.infer<typeof ReportTranscriptLine>;

export const Verdict = z.enum(['compliant', 'non-compliant', 'needs-review']);
export type Verdict = z.infer<typeof Verdict>;

export const Report = z.object({
  callId: z.string(),
  pack: z.object({ id: z.string(), version: z.string() }),
  verdict: Verdict,
  /** Severity-weighted share of applicable checks that passed (critical 3, major 2, minor 1), 0…1. */
  score: z.number().min(0).max(1),
  checks: z.array(ReportCheck),
  alerts: z.array(ReportAlert),
  transcript: z.array(ReportTranscriptLine),
  durationMs: z.number().nonnegative(),
  /** Where the text came from: `transcript` (given) or the speech engine's name. */
  transcriptSource: z.string().optional(),
});
export type Report = z.infer<typeof Report>;
