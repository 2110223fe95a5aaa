// How end-of-utterance settings behave on speech whose sentence times are
// known: how often a sentence is split into several segments (a pause inside it
// taken for its end) and how many speculative finals would be withdrawn (a
// pause long enough to speculate, too short to end). The VAD runs once per
// clip; each setting replays its probabilities through a fresh Segmenter.
import { SAMPLE_RATE } from '../engine.ts';
import { Segmenter, type SegmenterSettings } from '../vad/Segmenter.ts';
import { VAD_FRAME, type SileroVad } from '../vad/SileroVad.ts';

export interface Span {
  startMs: number;
  endMs: number;
}

/** Speech probability of every 32 ms frame of `pcm` (16 kHz mono). */
export async function vadProbabilities(pcm: Float32Array, vad: SileroVad): Promise<number[]> {
  const stream = vad.createStream();
  const frame = new Float32Array(VAD_FRAME);
  const out: number[] = [];
  for (let at = 0; at < pcm.length; at += VAD_FRAME) {
    frame.fill(0);
    frame.set(pcm.subarray(at, at + VAD_FRAME));
    out.push(await stream.process(frame));
  }
  return out;
}

export interface EndOfUtteranceStats {
  sentences: number;
  /** Sentences covered by more than one segment. */
  split: number;
  segments: number;
  /** 'pause' announcements (speculative finals started) and how many were withdrawn. */
  speculations: number;
  withdrawn: number;
}

/** Replays `probs` through a Segmenter with `settings`; `sentences` are the true sentence times. */
export function endOfUtteranceStats(
  probs: number[],
  sentences: Span[],
  settings: Partial<SegmenterSettings>,
): EndOfUtteranceStats {
  const seg = new Segmenter(settings);
  const segments: Span[] = [];
  let speculations = 0;
  let withdrawn = 0;
  const ms = (samples: number) => (samples / SAMPLE_RATE) * 1000;
  const take = (events: ReturnType<Segmenter['push']>) => {
    for (const e of events) {
      if (e.type === 'end') segments.push({ startMs: ms(e.startSample), endMs: ms(e.endSample) });
      else if (e.type === 'pause') speculations++;
      else if (e.type === 'resume') withdrawn++;
    }
  };
  for (const p of probs) take(seg.push(p));
  take(seg.flush());
  const split = sentences.filter(
    (s) => segments.filter((g) => g.startMs < s.endMs && g.endMs > s.startMs).length > 1,
  ).length;
  return { sentences: sentences.length, split, segments: segments.length, speculations, withdrawn };
}
