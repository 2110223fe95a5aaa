// The one interface every speech engine implements (Whisper bindings, the
// offline pocketsphinx engine). Audio in is always 16 kHz mono Float32 PCM in
// [-1, 1]; times out are milliseconds from the start of the buffer.

export interface RecognizedSegment {
  startMs: number;
  endMs: number;
  text: string;
  /** 0…1; engines without a score report their best estimate (documented per engine). */
  confidence: number;
}

export interface RecognizeOptions {
  /** Domain hints (product names, "principal", "cooling-off"): a Whisper initial prompt or a sphinx vocabulary. */
  hints?: string[];
  /** Partial hypotheses may trade accuracy for speed. */
  partial?: boolean;
  /**
   * The audio channel (one speaker's microphone, one file): engines that adapt to
   * the channel (pocketsphinx's cepstral mean) keep what they learn per channel.
   */
  channel?: string;
}

export interface SpeechEngine {
  /** e.g. `whisper:tiny.en` or `pocketsphinx:en-us`; shown on /readyz and in every report. */
  readonly name: string;
  /** Recognitions the engine can run at once (worker threads, processes); 1 when absent. */
  readonly concurrency?: number;
  /** True for the synthetic Whisper test model: fixed output, never evidence of accuracy. */
  readonly synthetic?: boolean;
  /**
   * True when each recognition on a channel starts from what the one before it learnt
   * (pocketsphinx's cepstral mean): a file's utterances then go one after another, as a
   * speaker's do, or the result depends on which of two parallel recognitions ended last.
   */
  readonly learnsChannel?: boolean;
  recognize(pcm16k: Float32Array, options?: RecognizeOptions): Promise<RecognizedSegment[]>;
  close(): Promise<void>;
}

export const SAMPLE_RATE = 16_000;
