// The operations view of who is on duty: every expert's presence, counts per
// skill, and managers online per branch. Pure, so it is tested without Redis.
import type { Branch } from '#protocol/api';
import type { PresenceCounts, PresenceSnapshot } from '#protocol/control';
import { toPresence, type ExpertState } from './presence.ts';

const none = (): PresenceCounts => ({ available: 0, busy: 0, away: 0, offline: 0 });

export function summarizePresence(input: {
  at: number;
  /** Live state of every expert account. */
  experts: ExpertState[];
  /** Every manager account and whether it has a live connection. */
  managers: { branchId: string | undefined; online: boolean }[];
  branches: Branch[];
}): PresenceSnapshot {
  const experts = [...input.experts].sort((a, b) => a.id.localeCompare(b.id)).map(toPresence);
  const bySkill = new Map<string, PresenceCounts>();
  for (const e of input.experts) {
    const { status } = toPresence(e);
    for (const skill of new Set(e.skills)) {
      const counts = bySkill.get(skill) ?? none();
      counts[status]++;
      bySkill.set(skill, counts);
    }
  }
  const names = new Map(input.branches.map((b) => [b.id, b.name]));
  const perBranch = new Map<string, { online: number; total: number }>(
    input.branches.map((b) => [b.id, { online: 0, total: 0 }]),
  );
  for (const m of input.managers) {
    if (!m.branchId) continue;
    const row = perBranch.get(m.branchId) ?? { online: 0, total: 0 };
    row.total++;
    if (m.online) row.online++;
    perBranch.set(m.branchId, row);
  }
  return {
    at: input.at,
    experts,
    bySkill: [...bySkill].sort(([a], [b]) => a.localeCompare(b)).map(([skill, c]) => ({ skill, ...c })),
    managers: [...perBranch]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([branchId, row]) => ({
        branchId,
        ...(names.has(branchId) ? { branchName: names.get(branchId)! } : {}),
        ...row,
      })),
  };
}
