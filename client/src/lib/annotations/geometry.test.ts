import { describe, expect, test } from 'vitest';
import { frameRect, toElement, toNormalised, toNormalisedClamped } from './geometry.ts';

describe('frameRect', () => {
  test('contain letterboxes a 16:9 picture in a 4:3 box (bars top and bottom)', () => {
    expect(frameRect({ width: 800, height: 600 }, { width: 1280, height: 720 }, 'contain')).toEqual({
      x: 0,
      y: 75,
      width: 800,
      height: 450,
    });
  });
  test('contain pillarboxes a 4:3 picture in a 16:9 box (bars left and right)', () => {
    expect(frameRect({ width: 1600, height: 900 }, { width: 640, height: 480 }, 'contain')).toEqual({
      x: 200,
      y: 0,
      width: 1200,
      height: 900,
    });
  });
  test('cover crops a 16:9 picture in a square box (sides cut off)', () => {
    const r = frameRect({ width: 500, height: 500 }, { width: 1600, height: 900 }, 'cover');
    expect(r.height).toBe(500);
    expect(r.width).toBeCloseTo(888.89, 1);
    expect(r.x).toBeCloseTo(-194.44, 1);
  });
  test('fill and unknown intrinsic sizes use the whole box', () => {
    expect(frameRect({ width: 300, height: 200 }, { width: 640, height: 360 }, 'fill')).toEqual({
      x: 0,
      y: 0,
      width: 300,
      height: 200,
    });
    expect(frameRect({ width: 300, height: 200 }, { width: 0, height: 0 }, 'contain')).toEqual({
      x: 0,
      y: 0,
      width: 300,
      height: 200,
    });
  });
});

describe('normalised coordinates', () => {
  const box = { width: 800, height: 600 };
  const frame = frameRect(box, { width: 1280, height: 720 }, 'contain');

  test('round-trip through element coordinates', () => {
    const n = toNormalised({ x: 600, y: 300 }, frame, box)!;
    expect(n.x).toBeCloseTo(0.75);
    expect(n.y).toBeCloseTo(0.5);
    expect(toElement(n, frame)).toEqual({ x: 600, y: 300 });
  });

  test('a click on a letterbox bar is outside the picture', () => {
    expect(toNormalised({ x: 400, y: 40 }, frame, box)).toBeNull();
    expect(toNormalised({ x: 400, y: 560 }, frame, box)).toBeNull();
  });

  test('the same point of the image maps to different pixels on differently shaped screens', () => {
    const tablet = frameRect({ width: 1024, height: 768 }, { width: 640, height: 360 }, 'contain');
    const wide = frameRect({ width: 1920, height: 1080 }, { width: 320, height: 180 }, 'contain'); // lower simulcast layer
    const n = { x: 0.25, y: 0.8 };
    const a = toElement(n, tablet);
    const b = toElement(n, wide);
    expect(toNormalised(a, tablet, { width: 1024, height: 768 })!.y).toBeCloseTo(0.8);
    expect(toNormalised(b, wide, { width: 1920, height: 1080 })!.x).toBeCloseTo(0.25);
    expect(a).not.toEqual(b);
  });

  test('cropped (cover) parts of the picture cannot be clicked', () => {
    const sq = { width: 500, height: 500 };
    const cover = frameRect(sq, { width: 1600, height: 900 }, 'cover');
    expect(toNormalised({ x: 250, y: 250 }, cover, sq)).toEqual({ x: 0.5, y: 0.5 });
    expect(toElement({ x: 0.05, y: 0.5 }, cover).x).toBeLessThan(0);
  });

  test('a mirrored view flips x both ways', () => {
    const n = toNormalised({ x: 200, y: 300 }, frame, box, true)!;
    expect(n.x).toBeCloseTo(0.75);
    expect(toElement(n, frame, true).x).toBeCloseTo(200);
  });

  test('drags that leave the picture are clamped to its edge', () => {
    expect(toNormalisedClamped({ x: -50, y: 700 }, frame)).toEqual({ x: 0, y: 1 });
  });
});
