import { describe, expect, test } from 'vitest';
import { Segmenter, type SegmenterEvent } from '../../../edge-node/src/transcription/vad/Segmenter.ts';

const FRAME = 512;
const framesOf = (ms: number) => Math.round((ms / 1000) * (16000 / FRAME));

/**
 * Feeds runs of [probability, duration ms]; returns the events with the frame they came at
 * (likely-end announcements, 'pause' and 'resume', only when `speculation` is set).
 */
function feed(
  seg: Segmenter,
  runs: [number, number][],
  { speculation = false } = {},
): (SegmenterEvent & { frame: number })[] {
  const out: (SegmenterEvent & { frame: number })[] = [];
  const keep = (e: SegmenterEvent) => speculation || (e.type !== 'pause' && e.type !== 'resume');
  let frame = 0;
  for (const [p, ms] of runs) {
    for (let i = 0; i < framesOf(ms); i++, frame++)
      for (const e of seg.push(p)) if (keep(e)) out.push({ ...e, frame });
  }
  for (const e of seg.flush()) if (keep(e)) out.push({ ...e, frame });
  return out;
}
const spec = { speculation: true };

describe('Segmenter', () => {
  test('one utterance is padded on both sides and ends after the pause', () => {
    const seg = new Segmenter({ padMs: 160, minSilenceMs: 400 });
    const events = feed(seg, [
      [0.02, 1000],
      [0.9, 2000],
      [0.02, 1000],
    ]);
    expect(events.map((e) => e.type)).toEqual(['start', 'end']);
    const [start, end] = events as [
      Extract<SegmenterEvent, { type: 'start' }> & { frame: number },
      Extract<SegmenterEvent, { type: 'end' }> & { frame: number },
    ];
    const speechStart = framesOf(1000) * FRAME;
    const speechEnd = (framesOf(1000) + framesOf(2000)) * FRAME;
    expect(start.startSample).toBe(speechStart - 2560);
    expect(end.endSample).toBe(speechEnd + 2560);
    expect(end.reason).toBe('pause');
    // The end is known ~400 ms after the speech stopped, not later.
    expect(end.frame - (framesOf(1000) + framesOf(2000))).toBeLessThanOrEqual(framesOf(400) + 1);
  });

  test('a click shorter than the minimum speech is discarded', () => {
    const events = feed(new Segmenter({ minSpeechMs: 200 }), [
      [0.0, 500],
      [0.95, 64],
      [0.0, 1000],
    ]);
    expect(events.map((e) => e.type)).toEqual(['start', 'discard']);
  });

  test('probabilities between the two thresholds keep an utterance going', () => {
    const events = feed(new Segmenter({ threshold: 0.5, negThreshold: 0.35 }), [
      [0.9, 500],
      [0.4, 1500],
      [0.9, 500],
      [0.0, 1000],
    ]);
    expect(events.filter((e) => e.type === 'end')).toHaveLength(1);
  });

  test('short pauses inside an utterance do not split it', () => {
    const events = feed(new Segmenter({ minSilenceMs: 400 }), [
      [0.9, 800],
      [0.1, 250],
      [0.9, 800],
      [0.1, 1000],
    ]);
    expect(events.filter((e) => e.type === 'end')).toHaveLength(1);
  });

  test('a monologue past the soft maximum is cut at its next short pause', () => {
    const events = feed(new Segmenter({ softMaxMs: 3000, softPauseMs: 130, maxUtteranceMs: 10_000 }), [
      [0.9, 2000],
      [0.1, 200], // before the soft maximum: no cut
      [0.9, 2000],
      [0.1, 200], // after it: cut here
      [0.9, 1000],
      [0.0, 1000],
    ]);
    const ends = events.filter((e) => e.type === 'end');
    expect(ends.map((e) => e.reason)).toEqual(['max-length', 'pause']);
    expect(ends[0]!.frame).toBeGreaterThanOrEqual(framesOf(4200));
    expect(ends[0]!.frame).toBeLessThan(framesOf(4400));
  });

  test('a monologue without pauses is cut at the maximum length, at its quietest recent frame, and goes on', () => {
    const seg = new Segmenter({ maxUtteranceMs: 5000, softMaxMs: 60_000, cutSearchMs: 2000 });
    const runs: [number, number][] = [
      [0.95, 3500],
      [0.55, 64], // the quietest moment in the last 2 s
      [0.95, 3000],
      [0.0, 1000],
    ];
    const events = feed(seg, runs);
    expect(events.map((e) => e.type)).toEqual(['start', 'end', 'start', 'end']);
    const cut = events[1] as Extract<SegmenterEvent, { type: 'end' }>;
    expect(cut.reason).toBe('max-length');
    const quietFrameEnd = (framesOf(3500) + framesOf(64)) * FRAME;
    expect(cut.endSample).toBe(quietFrameEnd);
    expect((events[2] as Extract<SegmenterEvent, { type: 'start' }>).startSample).toBe(quietFrameEnd);
  });

  test('flush closes an utterance still open at the end of the stream', () => {
    const events = feed(new Segmenter(), [
      [0.0, 300],
      [0.9, 1000],
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'end', reason: 'flush' });
  });
});

describe('Segmenter: likely ends announced early (speculative finals)', () => {
  type Pause = Extract<SegmenterEvent, { type: 'pause' }> & { frame: number };
  type End = Extract<SegmenterEvent, { type: 'end' }> & { frame: number };

  test('a short pause announces the end, the long pause confirms it; only silence lies between', () => {
    const events = feed(
      new Segmenter({ minSilenceMs: 400, speculateAfterMs: 150, padMs: 300 }),
      [
        [0.0, 640],
        [0.9, 960],
        [0.0, 1000],
      ],
      spec,
    );
    expect(events.map((e) => e.type)).toEqual(['start', 'pause', 'end']);
    const pause = events[1] as Pause;
    const end = events[2] as End;
    const speechEndFrame = framesOf(640) + framesOf(960);
    expect(pause.frame - speechEndFrame).toBe(framesOf(150) - 1);
    expect(end.frame - speechEndFrame).toBe(framesOf(400) - 1);
    expect(pause.startSample).toBe(end.startSample);
    // The announced audio ends inside the confirmed utterance's trailing silence.
    expect(pause.endSample).toBe((pause.frame + 1) * FRAME);
    expect(pause.endSample).toBeGreaterThan(speechEndFrame * FRAME);
    expect(pause.endSample).toBeLessThanOrEqual(end.endSample);
  });

  test('speech after the announcement withdraws it; the next pause is announced again', () => {
    const events = feed(
      new Segmenter({ minSilenceMs: 400, speculateAfterMs: 150 }),
      [
        [0.9, 960],
        [0.0, 250],
        [0.9, 960],
        [0.0, 1000],
      ],
      spec,
    );
    expect(events.map((e) => e.type)).toEqual(['start', 'pause', 'resume', 'pause', 'end']);
    expect((events[3] as Pause).endSample).toBeGreaterThan((events[1] as Pause).endSample + 960 * 16);
  });

  test('a frame between the two thresholds also withdraws it (it may be a quiet syllable)', () => {
    const events = feed(
      new Segmenter({ threshold: 0.5, negThreshold: 0.35, speculateAfterMs: 150 }),
      [
        [0.9, 960],
        [0.0, 200],
        [0.4, 32],
        [0.0, 1000],
      ],
      spec,
    );
    expect(events.map((e) => e.type)).toEqual(['start', 'pause', 'resume', 'pause', 'end']);
  });

  test('no announcement for speech too short to be an utterance, nor when it would not come first', () => {
    const click = feed(
      new Segmenter({ minSpeechMs: 200, speculateAfterMs: 150 }),
      [
        [0.95, 64],
        [0.0, 1000],
      ],
      spec,
    );
    expect(click.map((e) => e.type)).toEqual(['start', 'discard']);
    const off = feed(
      new Segmenter({ minSilenceMs: 400, speculateAfterMs: 400 }),
      [
        [0.9, 960],
        [0.0, 1000],
      ],
      spec,
    );
    expect(off.map((e) => e.type)).toEqual(['start', 'end']);
  });
});
