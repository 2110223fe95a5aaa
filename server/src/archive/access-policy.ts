// Who may open what in the archive. Checks are by staff role and branch scope,
// and some actions need a stated reason; the archive service writes every
// decision (granted or denied) to the audit log. One table, so a new rule is
// one line.
import type { AuditAction } from '#protocol/archive';
import { AppError } from '#protocol/errors';
import type { StaffRole } from '#protocol/roles';
import type { StaffPrincipal } from '../auth/tokens.ts';

export type ArchiveAction = Extract<
  AuditAction,
  | 'report.view'
  | 'transcript.view'
  | 'media.play'
  | 'media.download'
  | 'recording.request-full'
  | 'hold.set'
  | 'hold.release'
  | 'export.request'
  | 'export.approve'
  | 'export.download'
  | 'audit.query'
  | 'kek.rotate'
>;

interface Rule {
  roles: readonly StaffRole[];
  /** A reason for access must be given. */
  reason: boolean;
}

export const ARCHIVE_POLICY: Record<ArchiveAction, Rule> = {
  // Branch managers read their own branch's inspection reports; compliance reads any (within its scope).
  'report.view': { roles: ['compliance', 'manager'], reason: false },
  'transcript.view': { roles: ['compliance'], reason: true },
  'media.play': { roles: ['compliance'], reason: true },
  'media.download': { roles: ['compliance'], reason: true },
  'recording.request-full': { roles: ['compliance'], reason: true },
  'hold.set': { roles: ['compliance'], reason: true },
  'hold.release': { roles: ['compliance'], reason: true },
  'export.request': { roles: ['compliance'], reason: true },
  'export.approve': { roles: ['compliance'], reason: false },
  'export.download': { roles: ['compliance'], reason: true },
  'audit.query': { roles: ['compliance'], reason: false },
  'kek.rotate': { roles: ['ops'], reason: true },
};

export interface AccessDecision {
  ok: boolean;
  code?: 'wrong_role' | 'wrong_branch' | 'reason_required';
  message?: string;
}

/**
 * Decides whether `p` may do `action` on a call of `branchId` (undefined for actions
 * not about one call). Staff bound to a branch (managers, branch compliance officers)
 * only reach that branch's calls.
 */
export function decide(
  p: StaffPrincipal,
  action: ArchiveAction,
  branchId: string | undefined,
  reason: string | undefined,
): AccessDecision {
  const rule = ARCHIVE_POLICY[action];
  if (!rule.roles.includes(p.role))
    return { ok: false, code: 'wrong_role', message: `role ${p.role} may not ${action}` };
  if (branchId !== undefined && p.branchId && p.branchId !== branchId && p.role !== 'ops')
    return { ok: false, code: 'wrong_branch', message: `this call belongs to another branch` };
  if (rule.reason && !(reason && reason.trim().length >= 3))
    return { ok: false, code: 'reason_required', message: `${action} needs a reason for access` };
  return { ok: true };
}

export function refusal(d: AccessDecision): AppError {
  return d.code === 'reason_required'
    ? new AppError('bad_request', d.message!, { reason: d.code })
    : new AppError('forbidden', d.message!, { reason: d.code });
}
