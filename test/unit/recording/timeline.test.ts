import { describe, expect, test } from 'vitest';
import { ntpToEpochMs, senderTimeOfFirst, trackStarts } from '../../../edge-node/src/recording/timeline.ts';

const T0 = 1_700_000_000_000;

describe('placing tracks on the call timeline', () => {
  test("a participant's audio and video are aligned through the sender's clock, not their arrival", () => {
    // The sender's clock runs 3.2 s behind the edge's. Audio's first packet was captured at sender time S,
    // video's 0.4 s later; they arrived 40 ms and 25 ms after capture (different network jitter).
    const S = T0 - 3200 + 1000;
    const audio = {
      firstRtpTs: 48_000 * 10,
      clockRate: 48_000,
      firstArrivalMs: S + 3200 + 40,
      sr: { ntpMs: S - 500, rtpTs: 48_000 * 10 - 24_000, arrivalMs: 0 },
    };
    const video = {
      firstRtpTs: 90_000 * 7,
      clockRate: 90_000,
      firstArrivalMs: S + 400 + 3200 + 25,
      sr: { ntpMs: S, rtpTs: 90_000 * 7 - 36_000, arrivalMs: 0 },
    };
    const starts = trackStarts(
      [
        { track: 'a', participantId: 'p', timing: audio },
        { track: 'v', participantId: 'p', timing: video },
      ],
      T0,
    );
    // capture instants 0.4 s apart, exactly; the shared offset is the mean arrival delay
    expect(starts.get('v')! - starts.get('a')!).toBeCloseTo(400, 6);
    expect(starts.get('a')).toBeCloseTo(1000 + 32.5, 6);
  });

  test('RTP timestamps that wrapped around 2^32 are handled', () => {
    const timing = {
      firstRtpTs: 100,
      clockRate: 90_000,
      firstArrivalMs: 0,
      sr: { ntpMs: 5000, rtpTs: 2 ** 32 - 800, arrivalMs: 0 },
    };
    expect(senderTimeOfFirst(timing)).toBeCloseTo(5000 + (900 / 90_000) * 1000, 6);
  });

  test('tracks without a sender report are placed by arrival; tracks never started are unplaced', () => {
    const starts = trackStarts(
      [
        {
          track: 'x',
          participantId: 'q',
          timing: { firstRtpTs: 1, clockRate: 48_000, firstArrivalMs: T0 + 2500 },
        },
        { track: 'y', participantId: 'q' },
      ],
      T0,
    );
    expect(starts.get('x')).toBe(2500);
    expect(starts.get('y')).toBeUndefined();
  });

  test('a rejoin from a device with another clock gets its own offset', () => {
    const first = {
      firstRtpTs: 0,
      clockRate: 48_000,
      firstArrivalMs: T0 + 1000,
      sr: { ntpMs: T0 + 1000 - 60_000, rtpTs: 0, arrivalMs: 0 },
    };
    const second = {
      firstRtpTs: 0,
      clockRate: 48_000,
      firstArrivalMs: T0 + 50_000,
      sr: { ntpMs: T0 + 50_000 + 90_000, rtpTs: 0, arrivalMs: 0 },
    };
    const starts = trackStarts(
      [
        { track: 'a1', participantId: 'p', timing: first },
        { track: 'a2', participantId: 'p', timing: second },
      ],
      T0,
    );
    expect(starts.get('a1')).toBeCloseTo(1000, 6);
    expect(starts.get('a2')).toBeCloseTo(50_000, 6);
  });

  test('NTP timestamps convert to epoch ms', () => {
    expect(ntpToEpochMs(2_208_988_800 + 1, 2 ** 31)).toBe(1500);
  });
});
