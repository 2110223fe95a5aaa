import { describe, expect, test } from 'vitest';
import { OcrSchedule } from '../../../edge-node/src/compliance/frames/ocr-schedule.ts';

describe('OcrSchedule', () => {
  test('reads at most one sample per camera every 4 s, cameras independently', () => {
    const s = new OcrSchedule(4000);
    const due = (camera: string, atMs: number) => s.due(camera, atMs);
    expect([0, 2000, 4000, 6100, 8000, 10_200].map((t) => due('manager', t))).toEqual([
      true,
      false,
      true,
      false,
      true,
      false,
    ]);
    expect(due('customer', 2000)).toBe(true);
    expect(due('customer', 5000)).toBe(false);
  });

  test('reads nothing once closed (the title was read) or when OCR is off', () => {
    const s = new OcrSchedule(4000);
    expect(s.due('manager', 0)).toBe(true);
    s.close();
    expect(s.open).toBe(false);
    expect(s.due('manager', 10_000)).toBe(false);
    expect(new OcrSchedule(4000, false).due('manager', 0)).toBe(false);
  });
});
