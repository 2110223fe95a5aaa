// Shared shapes of the check evaluators: each check kind compiles its pack
// definition once into an `Evaluate` closure, run after every final segment.
import type { Evidence } from '#protocol/report';
import type { CallRole } from '#protocol/roles';
import type { Normalizer } from '../text/normalize.ts';
import { clock, type CallState, type Utterance } from './call-state.ts';

export type OutcomeStatus = 'pass' | 'fail' | 'not-applicable' | 'pending';

export interface AlertDraft {
  /** Stable key so an alert fires once however often the check is re-evaluated. */
  key: string;
  atMs: number;
  message: string;
}

export interface Outcome {
  status: OutcomeStatus;
  evidence: Evidence[];
  reason: string;
  /** When the check became satisfied (end of the deciding utterance), for order constraints. */
  passedAtMs?: number;
  alerts: AlertDraft[];
}

export interface CompileContext {
  normalizer: Normalizer;
  bankRoles: CallRole[];
  minScore: number;
}

/** `final` is true once the call has ended: what is still missing then fails. */
export type Evaluate = (state: CallState, done: ReadonlyMap<string, Outcome>, final: boolean) => Outcome;

export function said(u: Utterance): Evidence {
  return { role: u.role, startMs: u.startMs, endMs: u.endMs, text: u.text };
}

export function span(startMs: number, endMs: number, text: string): Evidence {
  return { role: 'call', startMs, endMs: Math.max(startMs, endMs), text };
}

export function quote(u: Utterance): string {
  const t = u.text.length > 120 ? `${u.text.slice(0, 117)}…` : u.text;
  return `${u.role} at ${clock(u.startMs)}: "${t}"`;
}

export function roleList(roles: CallRole[]): string {
  return roles.length === 1 ? roles[0]! : `${roles.slice(0, -1).join(', ')} or ${roles.at(-1)}`;
}

export function outcome(
  status: OutcomeStatus,
  reason: string,
  evidence: Evidence[] = [],
  extra: Partial<Outcome> = {},
): Outcome {
  return { status, reason, evidence, alerts: [], ...extra };
}
