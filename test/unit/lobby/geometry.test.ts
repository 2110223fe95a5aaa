import { describe, expect, it } from 'vitest';
import { footPoint, iou, nms, pointInPolygon, type Box } from '../../../edge-node/src/lobby/geometry.ts';

describe('lobby geometry', () => {
  it('IoU of identical, disjoint and half-overlapping boxes', () => {
    const a: Box = [0, 0, 0.2, 0.2];
    expect(iou(a, a)).toBeCloseTo(1);
    expect(iou(a, [0.5, 0.5, 0.6, 0.6])).toBe(0);
    expect(iou(a, [0.1, 0, 0.3, 0.2])).toBeCloseTo(1 / 3);
  });

  it('feet are the bottom-centre of the box', () => {
    expect(footPoint([0.2, 0.1, 0.4, 0.5])).toEqual([0.30000000000000004, 0.5]);
  });

  it('point in a concave polygon', () => {
    // An L-shaped waiting area.
    const L: [number, number][] = [
      [0, 0],
      [0.5, 0],
      [0.5, 0.2],
      [0.2, 0.2],
      [0.2, 0.6],
      [0, 0.6],
    ];
    expect(pointInPolygon([0.1, 0.5], L)).toBe(true);
    expect(pointInPolygon([0.4, 0.1], L)).toBe(true);
    expect(pointInPolygon([0.4, 0.5], L)).toBe(false); // in the notch
    expect(pointInPolygon([0.9, 0.9], L)).toBe(false);
  });

  it('NMS keeps the best of overlapping boxes and every separate one', () => {
    const kept = nms(
      [
        { box: [0, 0, 0.1, 0.3] as Box, score: 0.5 },
        { box: [0.005, 0, 0.105, 0.3] as Box, score: 0.7 },
        { box: [0.5, 0, 0.6, 0.3] as Box, score: 0.4 },
      ],
      0.5,
    );
    expect(kept.map((k) => k.score)).toEqual([0.7, 0.4]);
  });
});
