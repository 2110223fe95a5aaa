// Offline transcription of a whole buffer: Silero VAD regions (the same
// Segmenter the live pipeline uses), each recognised on its own, times shifted
// to the buffer's clock. For the CLI, the compliance `inspect` tool and benchmarks.
import { randomUUID } from 'node:crypto';
import { SAMPLE_RATE, type RecognizedSegment, type SpeechEngine } from './engine.ts';
import { Segmenter, type SegmenterSettings } from './vad/Segmenter.ts';
import { SileroVad, VAD_FRAME } from './vad/SileroVad.ts';

export interface TranscribeFileOptions {
  hints?: string[];
  /** A loaded VAD to reuse; otherwise one is loaded for this call and released. */
  vad?: SileroVad;
  segmenter?: Partial<SegmenterSettings>;
  /** The file's audio channel (see RecognizeOptions); a new one for every call when absent. */
  channel?: string;
}

export interface SpeechRegion {
  startSample: number;
  endSample: number;
}

/** Speech regions of `pcm` (16 kHz mono) by Silero VAD. */
export async function speechRegions(
  pcm: Float32Array,
  vad: SileroVad,
  settings: Partial<SegmenterSettings> = {},
): Promise<SpeechRegion[]> {
  const stream = vad.createStream();
  const segmenter = new Segmenter(settings);
  const regions: SpeechRegion[] = [];
  const collect = (events: ReturnType<Segmenter['push']>) => {
    for (const e of events)
      if (e.type === 'end') regions.push({ startSample: e.startSample, endSample: e.endSample });
  };
  const frame = new Float32Array(VAD_FRAME);
  for (let at = 0; at < pcm.length; at += VAD_FRAME) {
    const chunk = pcm.subarray(at, at + VAD_FRAME);
    frame.fill(0);
    frame.set(chunk);
    collect(segmenter.push(await stream.process(frame)));
  }
  collect(segmenter.flush());
  return regions.map((r) => ({ startSample: r.startSample, endSample: Math.min(r.endSample, pcm.length) }));
}

/** Timed segments of the whole buffer, in order; times are ms from the buffer's start. */
export async function transcribeFile(
  engine: SpeechEngine,
  pcm: Float32Array,
  options: TranscribeFileOptions = {},
): Promise<RecognizedSegment[]> {
  const vad = options.vad ?? (await SileroVad.load());
  try {
    const regions = await speechRegions(pcm, vad, options.segmenter);
    const results: RecognizedSegment[][] = new Array(regions.length);
    let next = 0;
    const channel = options.channel ?? `file-${randomUUID()}`;
    // As many recognitions at once as the engine runs (one at a time if it learns the channel);
    // results keep their order.
    const lane = async () => {
      while (next < regions.length) {
        const i = next++;
        const r = regions[i]!;
        const offsetMs = (r.startSample / SAMPLE_RATE) * 1000;
        const segs = await engine.recognize(pcm.subarray(r.startSample, r.endSample), {
          channel,
          ...(options.hints ? { hints: options.hints } : {}),
        });
        const regionEndMs = (r.endSample / SAMPLE_RATE) * 1000;
        results[i] = segs.map((s) => ({
          ...s,
          startMs: Math.round(offsetMs + s.startMs),
          endMs: Math.round(Math.min(regionEndMs, offsetMs + s.endMs)),
        }));
      }
    };
    const lanes = engine.learnsChannel ? 1 : Math.max(1, engine.concurrency ?? 1);
    await Promise.all(Array.from({ length: lanes }, lane));
    return results.flat();
  } finally {
    if (!options.vad) await vad.close();
  }
}
