import { describe, expect, it } from 'vitest';
import type { LobbyZone } from '#protocol/lobby';
import type { Box } from '../../../edge-node/src/lobby/geometry.ts';
import { Tracker } from '../../../edge-node/src/lobby/tracker.ts';
import { ZoneCounter } from '../../../edge-node/src/lobby/zones.ts';
import { Dwell, percentile } from '../../../edge-node/src/lobby/dwell.ts';

const zones: LobbyZone[] = [
  {
    id: 'waiting',
    kind: 'waiting',
    polygon: [
      [0, 0.5],
      [0.5, 0.5],
      [0.5, 1],
      [0, 1],
    ],
  },
  {
    id: 'counter',
    kind: 'counter',
    polygon: [
      [0.5, 0.5],
      [1, 0.5],
      [1, 1],
      [0.5, 1],
    ],
  },
];
/** A person whose feet are at (x, y). */
const at = (x: number, y: number): { box: Box; score: number } => ({
  box: [x - 0.03, y - 0.2, x + 0.03, y],
  score: 0.9,
});

describe('ZoneCounter', () => {
  it('counts entries, exits, current wait and dwell of a scripted visit', () => {
    const tracker = new Tracker();
    const counter = new ZoneCounter(zones);
    // Person A waits 0…30 s at (0.2, 0.8), walks to the counter for 31…60 s, then leaves the picture.
    // Person B stays in the waiting area from 10 s on.
    for (let t = 0; t <= 70; t++) {
      const dets = [];
      if (t <= 30) dets.push(at(0.2, 0.8));
      else if (t <= 60) dets.push(at(0.75, 0.8));
      if (t >= 10) dets.push(at(0.3, 0.6));
      counter.update(tracker.update(dets, t), t);
      if (t === 20) {
        const w = counter.stats()[0]!;
        expect(w.count).toBe(2);
        // A since 0 s (backdated to its first detection), B since 10 s.
        expect(w.currentWaitS).toBe(15);
        expect(w.maxWaitS).toBe(20);
      }
    }
    const [waiting, atCounter] = counter.stats();
    expect(waiting).toMatchObject({ count: 1, entries: 2, exits: 1 });
    expect(waiting!.dwell.visits).toBe(1);
    expect(waiting!.dwell.meanS).toBe(30); // 0 → 30 s
    expect(waiting!.currentWaitS).toBe(60); // B, 10 → 70 s
    expect(atCounter).toMatchObject({ count: 0, entries: 1, exits: 1 });
    expect(atCounter!.dwell.meanS).toBe(29); // 31 → 60 s (last seen inside)
    expect(atCounter!.dwell.counts[0]).toBe(1); // < 30 s bucket
  });

  it('a person outside every zone counts nowhere', () => {
    const tracker = new Tracker();
    const counter = new ZoneCounter(zones);
    for (let t = 0; t < 5; t++) counter.update(tracker.update([at(0.5, 0.2)], t), t);
    expect(counter.stats().map((z) => z.entries)).toEqual([0, 0]);
  });
});

describe('Dwell histogram', () => {
  it('buckets visits by their upper bound and reports percentiles', () => {
    const d = new Dwell([30, 60, 120]);
    for (const s of [5, 29.9, 30, 59, 61, 500]) d.add(s);
    const h = d.toJSON();
    expect(h.counts).toEqual([2, 2, 1, 1]);
    expect(h.visits).toBe(6);
    expect(h.p50S).toBe(30);
    expect(h.p90S).toBe(500);
    expect(percentile([], 0.5)).toBeNull();
  });
});
