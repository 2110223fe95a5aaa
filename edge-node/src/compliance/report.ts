// Outcomes → the report of shared/specs/dual-recording-checks.md: verdict,
// score and the checks with their evidence.
import type { Severity } from '#protocol/events';
import {
  Report,
  type ReportAlert,
  type ReportCheck,
  type ReportTranscriptLine,
  type Verdict,
} from '#protocol/report';
import { validate } from '#protocol/errors';
import type { RulePack } from './pack/schema.ts';
import type { Outcome } from './engine/types.ts';

const WEIGHT: Record<Severity, number> = { critical: 3, major: 2, minor: 1 };

/**
 * `non-compliant` when a critical or major check fails (the spec's rule);
 * `needs-review` when only minor checks fail, so a person looks at it;
 * `compliant` otherwise.
 */
export function verdictOf(checks: Pick<ReportCheck, 'status' | 'severity'>[]): Verdict {
  if (checks.some((c) => c.status === 'fail' && c.severity !== 'minor')) return 'non-compliant';
  if (checks.some((c) => c.status === 'fail')) return 'needs-review';
  return 'compliant';
}

/** Severity-weighted share of applicable checks that passed; 1 when none applies. */
export function scoreOf(checks: Pick<ReportCheck, 'status' | 'severity'>[]): number {
  const applicable = checks.filter((c) => c.status !== 'not-applicable');
  const total = applicable.reduce((n, c) => n + WEIGHT[c.severity], 0);
  if (total === 0) return 1;
  const passed = applicable.filter((c) => c.status === 'pass').reduce((n, c) => n + WEIGHT[c.severity], 0);
  return Math.round((passed / total) * 1000) / 1000;
}

export interface BuildReportInput {
  callId: string;
  pack: RulePack;
  outcomes: Map<string, Outcome>;
  alerts: ReportAlert[];
  transcript: ReportTranscriptLine[];
  durationMs: number;
  transcriptSource?: string;
}

export function buildReport(input: BuildReportInput): Report {
  const checks: ReportCheck[] = input.pack.checks.map((def) => {
    const o = input.outcomes.get(def.id)!;
    // After the call nothing is pending: the evaluator ran with final = true.
    const status = o.status === 'pending' ? 'fail' : o.status;
    return {
      id: def.id,
      title: def.title,
      status,
      severity: def.severity,
      evidence: o.evidence,
      reason: o.reason,
    };
  });
  const report: Report = {
    callId: input.callId,
    pack: { id: input.pack.id, version: input.pack.version },
    verdict: verdictOf(checks),
    score: scoreOf(checks),
    checks,
    alerts: input.alerts,
    transcript: input.transcript,
    durationMs: input.durationMs,
    ...(input.transcriptSource ? { transcriptSource: input.transcriptSource } : {}),
  };
  return validate(Report, report, 'compliance report');
}
