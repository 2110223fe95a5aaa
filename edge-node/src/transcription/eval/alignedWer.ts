// Word error rate of the pipeline (VAD segments, each recognised on its own)
// against the same engine on the whole file, averaged over several alignments
// of the same audio. Why: pocketsphinx's result on one file depends on where
// its 10 ms frames fall. Measured on the 10 domain sentences, the whole file
// alone ranged 20.4–34.0% WER when shifted by 0–2777 samples of leading
// silence, and the pipeline 20.4–25.2%: one alignment compares two draws, not
// two methods. Each alignment prepends `shift` samples of silence; the errors
// of all alignments are summed (corpus WER over the repeats).
import { SAMPLE_RATE, type SpeechEngine } from '../engine.ts';
import { transcribeFile } from '../transcribeFile.ts';
import type { SileroVad } from '../vad/SileroVad.ts';
import { sumWer, wordErrors, type WerResult } from './wer.ts';

/** Leading silence, in samples at 16 kHz: sub-frame, frame-sized and VAD-window-sized offsets. */
export const DEFAULT_SHIFTS = [0, 37, 80, 123, 1000, 1600, 2777, 4321];

export interface AlignmentWer {
  shift: number;
  pipeline: WerResult;
  wholeFile: WerResult;
}

export interface AlignedWer {
  pipeline: WerResult;
  wholeFile: WerResult;
  /** Pipeline minus whole file, in percentage points. */
  gapPoints: number;
  /** Time the pipeline took over all alignments, and the audio it covered: its real-time factor. */
  pipelineMs: number;
  audioMs: number;
  alignments: AlignmentWer[];
}

export async function alignedWer(
  engine: SpeechEngine,
  pcm: Float32Array,
  reference: string,
  opts: { vad: SileroVad; shifts?: number[]; channel: string; hints?: string[] },
): Promise<AlignedWer> {
  const alignments: AlignmentWer[] = [];
  let pipelineMs = 0;
  let audioMs = 0;
  for (const shift of opts.shifts ?? DEFAULT_SHIFTS) {
    const shifted = new Float32Array(pcm.length + shift);
    shifted.set(pcm, shift);
    const hints = opts.hints ? { hints: opts.hints } : {};
    // Each run on a channel of its own: nothing learnt in one carries over to another.
    const t = performance.now();
    const segments = await transcribeFile(engine, shifted, {
      vad: opts.vad,
      channel: `${opts.channel} pipeline +${shift}`,
      ...hints,
    });
    pipelineMs += performance.now() - t;
    audioMs += (shifted.length / SAMPLE_RATE) * 1000;
    const whole = await engine.recognize(shifted, { channel: `${opts.channel} whole +${shift}`, ...hints });
    alignments.push({
      shift,
      pipeline: wordErrors(reference, segments.map((s) => s.text).join(' ')),
      wholeFile: wordErrors(reference, whole.map((s) => s.text).join(' ')),
    });
  }
  const pipeline = sumWer(alignments.map((a) => a.pipeline));
  const wholeFile = sumWer(alignments.map((a) => a.wholeFile));
  return {
    pipeline,
    wholeFile,
    gapPoints: (pipeline.wer - wholeFile.wer) * 100,
    pipelineMs,
    audioMs,
    alignments,
  };
}
