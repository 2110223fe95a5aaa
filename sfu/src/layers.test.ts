import { describe, expect, test } from 'vitest';
import { chooseSpatialLayer } from './layers.ts';

describe('chooseSpatialLayer', () => {
  test('picks the smallest layer that fills the viewport', () => {
    expect(chooseSpatialLayer({ viewportHeight: 120, videoConsumers: 1 })).toBe(0);
    expect(chooseSpatialLayer({ viewportHeight: 360, videoConsumers: 1 })).toBe(1);
    expect(chooseSpatialLayer({ viewportHeight: 700, videoConsumers: 1 })).toBe(2);
    expect(chooseSpatialLayer({ viewportHeight: 2160, videoConsumers: 1 })).toBe(2);
  });

  test('a hidden video gets the lowest layer', () => {
    expect(chooseSpatialLayer({ viewportHeight: 0, videoConsumers: 1 })).toBe(0);
  });

  test('drops layers when the measured downlink cannot carry them', () => {
    expect(chooseSpatialLayer({ viewportHeight: 720, availableBitrate: 3_000_000, videoConsumers: 2 })).toBe(
      2,
    );
    expect(chooseSpatialLayer({ viewportHeight: 720, availableBitrate: 1_000_000, videoConsumers: 2 })).toBe(
      1,
    );
    expect(chooseSpatialLayer({ viewportHeight: 720, availableBitrate: 200_000, videoConsumers: 2 })).toBe(0);
  });
});
