// Who is on duty now, for the operations dashboard: experts (presence per
// expert and per skill, from the dispatcher's state) and managers per branch.
import { PresenceSnapshot } from '#protocol/control';
import { summarizePresence } from '../dispatch/presence-summary.ts';
import type { Services } from '../services.ts';
import type { ApiRouter } from './api-router.ts';

export function presenceRoutes(api: ApiRouter, s: Services): void {
  api.add({
    method: 'get',
    path: '/presence',
    tag: 'dispatch',
    summary:
      'Who is online: every expert (available, busy, away, offline; load) with counts per skill, and managers online per branch.',
    auth: { kinds: ['staff'], permission: 'staff:manage' },
    response: PresenceSnapshot,
    handler: async () => {
      const staff = await s.staff.list();
      const [experts, online, branches] = await Promise.all([
        s.presence.states(staff.filter((p) => p.role === 'expert').map((p) => p.id)),
        s.presence.managersOnline().then((ids) => new Set(ids)),
        s.branches.list(),
      ]);
      const managers = staff
        .filter((p) => p.role === 'manager')
        .map((p) => ({ branchId: p.branchId, online: online.has(p.id) }));
      return summarizePresence({ at: Date.now(), experts, managers, branches });
    },
  });
}
