import { expect, test } from 'vitest';
import { assessQuality } from './quality.ts';

test('quality follows loss over the interval and round-trip time', () => {
  expect(assessQuality(undefined, { packetsLost: 0, packetsReceived: 0 })).toBe('unknown');
  expect(assessQuality(undefined, { rttMs: 20, packetsLost: 0, packetsReceived: 1000 })).toBe('good');
  const prev = { rttMs: 20, packetsLost: 100, packetsReceived: 10_000 };
  // 100 lost before the interval do not count; 5 of 205 in it (2.4 %) do.
  expect(assessQuality(prev, { rttMs: 20, packetsLost: 105, packetsReceived: 10_200 })).toBe('fair');
  expect(assessQuality(prev, { rttMs: 20, packetsLost: 130, packetsReceived: 10_200 })).toBe('poor');
  expect(assessQuality(prev, { rttMs: 300, packetsLost: 100, packetsReceived: 10_200 })).toBe('fair');
  expect(assessQuality(prev, { rttMs: 900, packetsLost: 100, packetsReceived: 10_200 })).toBe('poor');
});
