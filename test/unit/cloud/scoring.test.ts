import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  estimateEtaS,
  queueScore,
  rankExperts,
  type ExpertCandidate,
} from '../../../server/src/dispatch/scoring.ts';

const now = 1_000_000_000;
const expert = (id: string, over: Partial<ExpertCandidate> = {}): ExpertCandidate => ({
  id,
  skills: ['wealth'],
  languages: ['en'],
  load: 0,
  maxLoad: 1,
  availableSince: now - 60_000,
  lastAssignedAt: undefined,
  ...over,
});

describe('rankExperts', () => {
  it('only offers to experts with the skill and spare capacity', () => {
    const ranked = rankExperts(
      { skill: 'wealth' },
      [expert('a', { skills: ['loans'] }), expert('b', { load: 1 }), expert('c')],
      now,
    );
    expect(ranked.map((e) => e.id)).toEqual(['c']);
  });

  it('prefers an expert who speaks the requested language over a longer-idle one', () => {
    const ranked = rankExperts(
      { skill: 'wealth', language: 'zh' },
      [
        expert('a', { availableSince: now - 3_000_000 }),
        expert('b', { languages: ['zh'], availableSince: now - 1000 }),
      ],
      now,
    );
    expect(ranked.map((e) => e.id)).toEqual(['b', 'a']);
  });

  it('is fair: the expert waiting longest since their last assignment goes first', () => {
    const ranked = rankExperts(
      { skill: 'wealth' },
      [
        expert('recent', { lastAssignedAt: now - 5_000 }),
        expert('waiting', { lastAssignedAt: now - 600_000 }),
      ],
      now,
    );
    expect(ranked[0]?.id).toBe('waiting');
  });

  it('prefers spare capacity: an expert already on a call ranks after an idle one', () => {
    const ranked = rankExperts(
      { skill: 'wealth' },
      [expert('busy', { load: 1, maxLoad: 2, availableSince: now - 3_000_000 }), expert('idle')],
      now,
    );
    expect(ranked.map((e) => e.id)).toEqual(['idle', 'busy']);
  });

  it('ranks the same way whatever the input order (every instance agrees)', () => {
    const arb = fc.uniqueArray(
      fc.record({
        id: fc.string({ minLength: 1, maxLength: 4 }),
        skills: fc.subarray(['wealth', 'loans', 'fx']),
        languages: fc.subarray(['en', 'zh']),
        load: fc.integer({ min: 0, max: 2 }),
        maxLoad: fc.integer({ min: 1, max: 2 }),
        availableSince: fc.option(fc.integer({ min: now - 10_000_000, max: now }), { nil: undefined }),
        lastAssignedAt: fc.option(fc.integer({ min: now - 10_000_000, max: now }), { nil: undefined }),
      }),
      { maxLength: 12, selector: (e: { id: string }) => e.id },
    );
    fc.assert(
      fc.property(arb, fc.constantFrom('wealth', 'loans'), (experts, skill) => {
        const a = rankExperts({ skill, language: 'zh' }, experts, now).map((e) => e.id);
        const b = rankExperts({ skill, language: 'zh' }, [...experts].reverse(), now).map((e) => e.id);
        expect(a).toEqual(b);
        for (const id of a) {
          const e = experts.find((x) => x.id === id)!;
          expect(e.skills).toContain(skill);
          expect(e.load).toBeLessThan(e.maxLoad);
        }
      }),
    );
  });
});

describe('queueScore', () => {
  it('serves urgent requests first but keeps FIFO within an urgency', () => {
    const items = [
      { id: 'normal-early', s: queueScore(1000, 'normal') },
      { id: 'normal-late', s: queueScore(2000, 'normal') },
      { id: 'critical-late', s: queueScore(5000, 'critical') },
      { id: 'low-early', s: queueScore(0, 'low') },
    ];
    expect(items.sort((a, b) => a.s - b.s).map((i) => i.id)).toEqual([
      'critical-late',
      'normal-early',
      'normal-late',
      'low-early',
    ]);
  });
});

describe('estimateEtaS', () => {
  it('is 0 while a free expert exists for this place in the queue', () => {
    expect(estimateEtaS(1, 1, 3, 300)).toBe(0);
    expect(estimateEtaS(2, 2, 3, 300)).toBe(0);
  });
  it('grows in rounds of the average handling time', () => {
    expect(estimateEtaS(1, 0, 2, 300)).toBe(300);
    expect(estimateEtaS(2, 0, 2, 300)).toBe(300);
    expect(estimateEtaS(3, 0, 2, 300)).toBe(600);
  });
  it('is null when nobody with the skill is online', () => {
    expect(estimateEtaS(1, 0, 0, 300)).toBeNull();
  });
});
