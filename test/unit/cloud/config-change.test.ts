import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyChange, diffConfig } from '../../../server/src/edges/config-change.ts';

const base = {
  revision: 4,
  rulePacks: { 'wealth-sale': '1.0.0', insurance: '2.1.0' },
  models: { asr: 'tiny' },
  settings: { vad: 0.5 },
};

describe('applyChange', () => {
  it('sets, replaces and (with null) removes entries, and bumps the revision', () => {
    const next = applyChange(base, {
      rulePacks: { 'wealth-sale': '1.1.0', insurance: null, fx: '0.1.0' },
      settings: { lang: 'en' },
    });
    expect(next).toEqual({
      revision: 5,
      rulePacks: { 'wealth-sale': '1.1.0', fx: '0.1.0' },
      models: { asr: 'tiny' },
      settings: { vad: 0.5, lang: 'en' },
    });
    expect(base.rulePacks.insurance).toBe('2.1.0');
  });

  it('applying the diff between two configs turns the first into the second', () => {
    const rec = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), fc.constantFrom('1', '2', '3'));
    const cfg = fc.record({
      revision: fc.nat(100),
      rulePacks: rec,
      models: rec,
      settings: fc.dictionary(fc.constantFrom('x', 'y'), fc.integer()),
    });
    fc.assert(
      fc.property(cfg, cfg, (from, to) => {
        const applied = applyChange(from, diffConfig(from, to));
        expect({ ...applied, revision: 0 }).toEqual({ ...to, revision: 0 });
      }),
    );
  });
});
