import { describe, expect, it } from 'vitest';
import { distanceKm, rankBranches } from '../../../server/src/branches/routing.ts';

const central = { lat: 22.2819, lon: 114.1582 };
const branch = (id: string, lat: number, lon: number) => ({ id, name: id, lat, lon });

describe('distanceKm', () => {
  it('matches known great-circle distances', () => {
    // Hong Kong Central → Kowloon Tong, about 7.5 km.
    expect(distanceKm(central, { lat: 22.3372, lon: 114.1762 })).toBeCloseTo(6.4, 0);
    expect(distanceKm(central, central)).toBe(0);
  });
});

describe('rankBranches', () => {
  const near = branch('near', 22.2855, 114.1577); // ~0.4 km
  const mid = branch('mid', 22.2701, 114.1496); // ~1.6 km
  const far = branch('far', 22.3372, 114.1762); // ~6.4 km

  it('picks the nearest branch when busyness is equal', () => {
    const r = rankBranches(
      central,
      [far, mid, near].map((b) => ({ branch: b, busyness: 0.2 })),
      { penaltyKm: 5, limit: 5 },
    );
    expect(r.map((x) => x.branchId)).toEqual(['near', 'mid', 'far']);
  });

  it('sends the customer a little further when the nearest branch is saturated', () => {
    const r = rankBranches(
      central,
      [
        { branch: near, busyness: 1 },
        { branch: mid, busyness: 0.1 },
        { branch: far, busyness: 0 },
      ],
      { penaltyKm: 5, limit: 5 },
    );
    expect(r[0]?.branchId).toBe('mid');
    expect(r[0]?.cost).toBeLessThan(r[1]!.cost);
  });

  it('ranks branches without a reporting edge last, and honours the distance limit', () => {
    const r = rankBranches(
      central,
      [
        { branch: near, busyness: null },
        { branch: mid, busyness: 0.9 },
        { branch: far, busyness: 0 },
      ],
      { penaltyKm: 5, limit: 5, maxDistanceKm: 3 },
    );
    expect(r.map((x) => [x.branchId, x.online])).toEqual([
      ['mid', true],
      ['near', false],
    ]);
  });
});
