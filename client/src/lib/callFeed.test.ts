import { describe, expect, test } from 'vitest';
import type { TranscriptSegment } from '#protocol/events';
import { EMPTY_FEED, checklistProgress, clock, feedReducer } from './callFeed.ts';

const seg = (utteranceId: string, text: string, startMs: number, final = false): TranscriptSegment => ({
  callId: 'c',
  role: 'manager',
  participantId: 'p',
  startMs,
  endMs: startMs + 500,
  text,
  final,
  confidence: 0.9,
  utteranceId,
  engine: 'test',
});

describe('feedReducer', () => {
  test('a partial is replaced by later partials and by its final; lines stay in time order', () => {
    let s = feedReducer(EMPTY_FEED, { type: 'transcript', segment: seg('u2', 'the prin', 3000) });
    s = feedReducer(s, { type: 'transcript', segment: seg('u1', 'good morning', 1000, true) });
    s = feedReducer(s, { type: 'transcript', segment: seg('u2', 'the principal may be lost', 3000, true) });
    expect(s.transcript.map((t) => t.text)).toEqual(['good morning', 'the principal may be lost']);
  });

  test('the same alert delivered twice is shown once', () => {
    const alert = {
      callId: 'c',
      atMs: 5000,
      checkId: 'no-guarantee',
      severity: 'critical' as const,
      message: 'Guaranteed return claimed',
    };
    const s = feedReducer(feedReducer(EMPTY_FEED, { type: 'alert', alert }), { type: 'alert', alert });
    expect(s.alerts).toHaveLength(1);
  });
});

test('checklist progress ignores items that do not apply', () => {
  expect(
    checklistProgress([
      { id: 'a', title: 'A', severity: 'critical', status: 'pass' },
      { id: 'b', title: 'B', severity: 'major', status: 'fail' },
      { id: 'c', title: 'C', severity: 'minor', status: 'not-applicable' },
      { id: 'd', title: 'D', severity: 'minor', status: 'pending' },
    ]),
  ).toEqual({ done: 1, total: 3, failed: 1 });
});

test('clock formats call time', () => {
  expect(clock(0)).toBe('00:00');
  expect(clock(125_400)).toBe('02:05');
});
