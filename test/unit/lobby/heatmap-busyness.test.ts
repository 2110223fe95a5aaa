import fc from 'fast-check';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { busynessScore } from '../../../edge-node/src/lobby/busyness.ts';
import { colour, HeatMap } from '../../../edge-node/src/lobby/heatmap.ts';

describe('HeatMap', () => {
  it('accumulates person-seconds at the feet and finds the busiest cell', () => {
    const map = new HeatMap(10, 5);
    for (let i = 0; i < 20; i++)
      map.add(
        [
          [0.15, 0.5],
          [0.95, 0.99],
        ],
        0.5,
      );
    map.add([[0.15, 0.5]], 3);
    expect(map.peak()).toEqual([1, 2, 13]);
    expect(map.toGrid()[4]![9]).toBe(10);
    expect(map.totalS).toBe(13);
  });

  it('renders a PNG whose hottest pixels sit where people stood', async () => {
    const map = new HeatMap(8, 6);
    map.add([[0.8, 0.2]], 60);
    const png = await map.png(
      [
        {
          id: 'waiting',
          kind: 'waiting',
          polygon: [
            [0, 0.5],
            [0.4, 0.5],
            [0.4, 1],
            [0, 1],
          ],
        },
      ],
      10,
    );
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([80, 60]);
    const px = (x: number, y: number) => data[(y * info.width + x) * info.channels]!;
    expect(px(65, 15)).toBeGreaterThan(200); // the hot cell (col 6, row 1)
    expect(px(20, 45)).toBeLessThan(60); // an empty cell inside the waiting outline
    expect(colour(0)).toEqual([10, 10, 40]);
  });
});

describe('busynessScore', () => {
  const base = { lobbyCount: 0, waitS: 0, activeCalls: 0, maxCalls: 8, staffOnDuty: 2 };

  it('is 0 for an empty, idle branch and 1 when every part is saturated', () => {
    expect(busynessScore(base).score).toBe(0);
    expect(busynessScore({ ...base, lobbyCount: 30, waitS: 3600, activeCalls: 8 }).score).toBe(1);
  });

  it('6 waiting for 2 free staff (3 each) fills the lobby part; a call takes a member of staff away', () => {
    expect(busynessScore({ ...base, lobbyCount: 6 }).lobby).toBe(1);
    expect(busynessScore({ ...base, lobbyCount: 3 }).lobby).toBe(0.5);
    expect(busynessScore({ ...base, lobbyCount: 3, activeCalls: 1 }).lobby).toBe(1);
  });

  it('never decreases when more people wait, longer, or more calls run, or staff leave', () => {
    const inputs = fc.record({
      lobbyCount: fc.integer({ min: 0, max: 50 }),
      waitS: fc.integer({ min: 0, max: 5000 }),
      activeCalls: fc.integer({ min: 0, max: 8 }),
      maxCalls: fc.constant(8),
      staffOnDuty: fc.integer({ min: 0, max: 10 }),
    });
    fc.assert(
      fc.property(inputs, fc.nat(10), (i, more) => {
        const s = busynessScore(i).score;
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
        expect(busynessScore({ ...i, lobbyCount: i.lobbyCount + more }).score).toBeGreaterThanOrEqual(s);
        expect(busynessScore({ ...i, waitS: i.waitS + more * 60 }).score).toBeGreaterThanOrEqual(s);
        expect(
          busynessScore({ ...i, activeCalls: Math.min(8, i.activeCalls + more) }).score,
        ).toBeGreaterThanOrEqual(s);
        expect(
          busynessScore({ ...i, staffOnDuty: Math.max(0, i.staffOnDuty - more) }).score,
        ).toBeGreaterThanOrEqual(s);
      }),
    );
  });
});
