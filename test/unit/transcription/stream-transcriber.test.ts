// Speculative finals in the per-speaker transcriber, driven frame by frame: a
// stand-in VAD reads each frame's speech probability from its first sample,
// and the engine finishes a recognition only when the test says so and answers
// with the length of the audio it was given (so a test can tell which audio a
// final covers). The real VAD and engines run in the integration tests.
import { describe, expect, test } from 'vitest';
import { createLogger } from '#common/logger';
import type { TranscriptSegment } from '#protocol/events';
import type { RecognizedSegment, SpeechEngine } from '../../../edge-node/src/transcription/engine.ts';
import { RecognitionScheduler } from '../../../edge-node/src/transcription/scheduler/RecognitionScheduler.ts';
import { StreamTranscriber } from '../../../edge-node/src/transcription/stream/StreamTranscriber.ts';
import type { SileroVad } from '../../../edge-node/src/transcription/vad/SileroVad.ts';

const logger = createLogger('test', { level: 'silent' });
const FRAME = 512;
const PAD = 4800; // 300 ms, the default padding

const probabilityVad = {
  createStream: () => ({
    process: (frame: Float32Array) => Promise.resolve(frame[0]!),
    reset: () => undefined,
  }),
} as unknown as SileroVad;

interface Call {
  samples: number;
  partial: boolean;
  finish: () => void;
}

class ControlledEngine implements SpeechEngine {
  readonly name = 'controlled';
  readonly calls: Call[] = [];
  readonly #open: Call[] = [];
  constructor(readonly concurrency = 1) {}
  recognize(pcm: Float32Array, options: { partial?: boolean } = {}): Promise<RecognizedSegment[]> {
    return new Promise((resolve) => {
      const call: Call = {
        samples: pcm.length,
        partial: options.partial === true,
        finish: () => resolve([{ startMs: 0, endMs: 1, text: `samples:${pcm.length}`, confidence: 1 }]),
      };
      this.calls.push(call);
      this.#open.push(call);
    });
  }
  /** Completes the oldest recognition still running. */
  finish(): void {
    this.#open.shift()!.finish();
  }
  async close(): Promise<void> {}
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** One speaker fed whole frames of a given speech probability. */
function speaker(scheduler: RecognitionScheduler, participantId = 'p', partialIntervalMs = 60_000) {
  const t = new StreamTranscriber({
    meta: { callId: 'c', role: 'customer', participantId },
    vad: probabilityVad,
    scheduler,
    partialIntervalMs,
    logger,
  });
  const segments: TranscriptSegment[] = [];
  const errors: Error[] = [];
  t.on('segment', (s) => segments.push(s));
  t.on('error', (e) => errors.push(e));
  let at = 0;
  return {
    t,
    segments,
    errors,
    finals: () => segments.filter((s) => s.final),
    /** Feeds `frames` frames of probability `p`; resolves once the VAD went through them. */
    async feed(p: number, frames: number) {
      t.push(new Float32Array(frames * FRAME).fill(p), at, 0);
      at += frames * FRAME;
      await t.idle();
      await settle();
    },
  };
}

const ms = (samples: number) => Math.round(samples / 16);

describe('StreamTranscriber: speculative finals', () => {
  // 20 frames of silence, 30 of speech (frames 20–49). Defaults: the likely end is announced
  // after 5 silent frames (frame 54), confirmed after 13 (frame 62).
  const start = 20 * FRAME - PAD;
  const speechEnd = 50 * FRAME;
  const speculated = 55 * FRAME; // audio up to the announcement
  const confirmedEnd = speechEnd + PAD;

  test('confirmed: the speculative result is the final, emitted only once the pause is confirmed', async () => {
    const engine = new ControlledEngine();
    const s = speaker(new RecognitionScheduler(engine, logger));
    await s.feed(0, 20);
    await s.feed(0.9, 30);
    await s.feed(0, 5);
    expect(engine.calls.map((c) => c.samples)).toEqual([speculated - start]);
    engine.finish(); // done before the pause is confirmed…
    await s.feed(0, 7);
    expect(s.finals()).toHaveLength(0); // …but the speaker may still go on
    await s.feed(0, 1);
    expect(s.finals()).toHaveLength(1);
    expect(s.finals()[0]).toMatchObject({
      text: `samples:${speculated - start}`,
      startMs: ms(start),
      endMs: ms(confirmedEnd),
    });
    expect(engine.calls).toHaveLength(1); // no second recognition of the same utterance
    await s.t.end();
    expect(s.errors).toEqual([]);
  });

  test('still running when the pause is confirmed: the final comes when it finishes', async () => {
    const engine = new ControlledEngine();
    const s = speaker(new RecognitionScheduler(engine, logger));
    await s.feed(0, 20);
    await s.feed(0.9, 30);
    await s.feed(0, 30);
    expect(s.finals()).toHaveLength(0);
    engine.finish();
    await settle();
    expect(s.finals().map((f) => f.text)).toEqual([`samples:${speculated - start}`]);
    expect(engine.calls).toHaveLength(1);
    await s.t.end();
  });

  test('speech resumes: the running speculation is discarded and the final covers the whole utterance', async () => {
    const engine = new ControlledEngine();
    const scheduler = new RecognitionScheduler(engine, logger);
    const s = speaker(scheduler);
    await s.feed(0, 20);
    await s.feed(0.9, 30);
    await s.feed(0, 8); // a 256 ms pause: announced, not confirmed
    expect(engine.calls).toHaveLength(1);
    await s.feed(0.9, 30); // frames 58–87
    await s.feed(0, 5); // announced again: waits, the worker still runs the first
    expect(engine.calls).toHaveLength(1);
    engine.finish(); // the discarded one finishes; its result goes nowhere
    await settle();
    await s.feed(0, 20);
    engine.finish();
    await settle();
    const secondSpeculation = 93 * FRAME;
    expect(engine.calls.map((c) => c.samples)).toEqual([speculated - start, secondSpeculation - start]);
    expect(s.finals()).toHaveLength(1);
    expect(s.finals()[0]).toMatchObject({
      text: `samples:${secondSpeculation - start}`,
      startMs: ms(start),
      endMs: ms(88 * FRAME + PAD),
    });
    expect(s.segments.filter((x) => !x.final)).toHaveLength(0);
    expect(scheduler.stats).toMatchObject({
      speculations: 2,
      speculationsWasted: 1,
      speculationsConfirmed: 1,
    });
    await s.t.end();
    expect(s.errors).toEqual([]);
  });

  test('speech resumes before the speculation started: it leaves the queue and never runs', async () => {
    const engine = new ControlledEngine();
    const scheduler = new RecognitionScheduler(engine, logger);
    const other = speaker(scheduler, 'other');
    await other.feed(0.9, 30);
    await other.feed(0, 13); // another speaker's final occupies the only worker
    expect(engine.calls).toHaveLength(1);
    const s = speaker(scheduler);
    await s.feed(0, 20);
    await s.feed(0.9, 30);
    await s.feed(0, 8);
    expect(scheduler.report().queuedSpeculative).toBe(1);
    await s.feed(0.9, 30);
    expect(scheduler.report().queuedSpeculative).toBe(0);
    engine.finish();
    await s.feed(0, 20);
    engine.finish();
    await settle();
    // The engine saw the other speaker's final and this speaker's whole utterance, nothing else.
    expect(engine.calls.map((c) => c.samples)).toEqual([engine.calls[0]!.samples, 93 * FRAME - start]);
    expect(scheduler.stats).toMatchObject({ speculationsCancelled: 1, speculationsWasted: 0 });
    expect(s.finals().map((f) => f.text)).toEqual([`samples:${93 * FRAME - start}`]);
    await Promise.all([s.t.end(), other.t.end()]);
  });

  test('over capacity: confirmed finals go before speculations, and speculations before partials', async () => {
    const engine = new ControlledEngine();
    const scheduler = new RecognitionScheduler(engine, logger);
    const busy = speaker(scheduler, 'busy');
    const talker = speaker(scheduler, 'talker', 1000); // wants partials
    const ender = speaker(scheduler, 'ender');
    const confirmed = speaker(scheduler, 'confirmed');
    // The only worker: busy's final (speculated at its 5th silent frame, then confirmed).
    await busy.feed(0.9, 20);
    await busy.feed(0, 13);
    // talker speaks on past a partial; ender pauses (a speculation waits); confirmed's
    // speculation waits too, then its pause is confirmed: a final now.
    await talker.feed(0.9, 40);
    await ender.feed(0.9, 25);
    await ender.feed(0, 5);
    await confirmed.feed(0.9, 22);
    await confirmed.feed(0, 13);
    expect(scheduler.report()).toMatchObject({ queuedFinals: 1, queuedSpeculative: 1, queuedPartials: 1 });
    for (let i = 0; i < 4; i++) {
      engine.finish();
      await settle();
    }
    const order = engine.calls.map((c) => (c.partial ? 'partial' : c.samples / FRAME));
    // Each speculation covers the speech and 5 frames of pause.
    expect(order).toEqual([25, 27, 30, 'partial']);
    await ender.feed(0, 8);
    expect(ender.finals()).toHaveLength(1);
    await talker.feed(0, 13);
    engine.finish();
    await Promise.all([busy, talker, ender, confirmed].map((x) => x.t.end()));
    expect(confirmed.finals()).toHaveLength(1);
    expect(talker.finals()).toHaveLength(1);
  });

  test('no partial starts during a pause; an overdue one starts when speech resumes', async () => {
    const engine = new ControlledEngine(2);
    const s = speaker(new RecognitionScheduler(engine, logger), 'p', 1000);
    await s.feed(0.9, 30); // 960 ms of speech (plus no lead padding: it starts at 0)
    await s.feed(0, 4); // a partial falls due at 1 s of audio: inside the pause
    expect(engine.calls).toHaveLength(0);
    await s.feed(0.9, 1);
    expect(engine.calls.map((c) => c.partial)).toEqual([true]);
    engine.finish();
    await s.feed(0.9, 10);
    await s.feed(0, 20);
    engine.finish();
    await s.t.end();
    expect(s.segments.map((x) => x.final)).toEqual([false, true]);
  });
});
