import { describe, expect, it } from 'vitest';
import type { Box } from '../../../edge-node/src/lobby/geometry.ts';
import { Tracker } from '../../../edge-node/src/lobby/tracker.ts';

const person = (x: number, y = 0.3, w = 0.05, h = 0.2): { box: Box; score: number } => ({
  box: [x, y, x + w, y + h],
  score: 0.8,
});

describe('Tracker', () => {
  it('confirms a person after two detections and keeps one id while they walk (a body width per frame)', () => {
    const tracker = new Tracker();
    const ids = new Set<number>();
    let confirmedAt = -1;
    for (let i = 0; i < 10; i++) {
      // 0.06 per second at 1 fps: more than the box width, so boxes never overlap.
      const { active } = tracker.update([person(0.1 + 0.06 * i)], i);
      if (active.length && confirmedAt < 0) confirmedAt = i;
      for (const t of active) ids.add(t.id);
    }
    expect(confirmedAt).toBe(1);
    expect(ids.size).toBe(1);
  });

  it('keeps two people apart when they cross', () => {
    const tracker = new Tracker();
    const byStart = new Map<number, number>();
    for (let i = 0; i < 9; i++) {
      const a = person(0.1 + 0.08 * i, 0.3);
      const b = person(0.74 - 0.08 * i, 0.36);
      const { active } = tracker.update([a, b], i);
      for (const t of active) if (!byStart.has(t.id)) byStart.set(t.id, t.box[0]);
    }
    const final = tracker.tracks.filter((t) => t.confirmed);
    expect(final).toHaveLength(2);
    // The one that started left ends right, and vice versa.
    const [left, right] = [...final].sort((p, q) => p.box[0] - q.box[0]);
    expect(byStart.get(left!.id)!).toBeGreaterThan(0.5);
    expect(byStart.get(right!.id)!).toBeLessThan(0.5);
  });

  it('bridges a missed frame, ends a track after maxMisses, and ignores one-frame flickers', () => {
    const tracker = new Tracker({ minHits: 2, maxMisses: 2, maxJumpHeights: 1.2 });
    tracker.update([person(0.4)], 0);
    tracker.update([person(0.4)], 1);
    let r = tracker.update([], 2); // missed once
    expect(r.active).toHaveLength(1);
    expect(r.ended).toHaveLength(0);
    r = tracker.update([person(0.41)], 3); // back: same id
    expect(r.active.map((t) => t.id)).toEqual([1]);
    r = tracker.update([person(0.9, 0.7)], 4); // a flicker elsewhere: not confirmed
    expect(r.active.map((t) => t.id)).toEqual([1]);
    tracker.update([], 5);
    r = tracker.update([], 6);
    expect(r.ended.map((t) => t.id)).toEqual([1]);
    expect(r.active).toHaveLength(0);
  });

  it('does not match a near person to a far one of very different size', () => {
    const tracker = new Tracker();
    tracker.update([person(0.4, 0.3, 0.05, 0.2)], 0);
    tracker.update([person(0.4, 0.3, 0.05, 0.2)], 1);
    const r = tracker.update([person(0.41, 0.1, 0.15, 0.6)], 2);
    expect(r.active.map((t) => t.id)).toEqual([1]); // still the old (missed) one
    expect(r.active[0]!.misses).toBe(1);
  });
});
