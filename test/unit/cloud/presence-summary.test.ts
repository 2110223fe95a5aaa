import { describe, expect, it } from 'vitest';
import { summarizePresence } from '../../../server/src/dispatch/presence-summary.ts';
import type { ExpertState } from '../../../server/src/dispatch/presence.ts';

const expert = (id: string, skills: string[], s: Partial<ExpertState> = {}): ExpertState => ({
  id,
  skills,
  languages: [],
  maxLoad: 1,
  load: 0,
  alive: true,
  choice: 'available',
  hasOffer: false,
  availableSince: undefined,
  lastAssignedAt: undefined,
  ...s,
});

describe('summarizePresence', () => {
  it('counts experts per skill by effective status and managers online per branch', () => {
    const snap = summarizePresence({
      at: 1,
      experts: [
        expert('b', ['wealth', 'insurance']),
        expert('a', ['wealth'], { load: 1 }), // at capacity: busy
        expert('c', ['insurance'], { choice: 'away' }),
        expert('d', ['wealth'], { alive: false }),
      ],
      managers: [
        { branchId: 'central', online: true },
        { branchId: 'central', online: false },
        { branchId: 'unlisted', online: true },
        { branchId: undefined, online: true },
      ],
      branches: [
        { id: 'central', name: 'Central', lat: 0, lon: 0 },
        { id: 'hill', name: 'Hill', lat: 0, lon: 0 },
      ],
    });
    expect(snap.experts.map((e) => [e.expertId, e.status])).toEqual([
      ['a', 'busy'],
      ['b', 'available'],
      ['c', 'away'],
      ['d', 'offline'],
    ]);
    expect(snap.bySkill).toEqual([
      { skill: 'insurance', available: 1, busy: 0, away: 1, offline: 0 },
      { skill: 'wealth', available: 1, busy: 1, away: 0, offline: 1 },
    ]);
    expect(snap.managers).toEqual([
      { branchId: 'central', branchName: 'Central', online: 1, total: 2 },
      { branchId: 'hill', branchName: 'Hill', online: 0, total: 0 },
      { branchId: 'unlisted', online: 1, total: 1 },
    ]);
  });
});
