// Speech regions from per-frame speech probabilities: hysteresis on the
// probability, padding on both sides, an utterance ends after a pause, and a
// monologue is cut at a short pause once long, or at the quietest recent frame
// when it reaches the maximum length. A shorter pause announces a likely end
// early ('pause', later confirmed by 'end' or withdrawn by 'resume') so the
// final's recognition can start before the end is certain. Pure logic: no
// I/O, no clock.
import { SAMPLE_RATE } from '../engine.ts';
import { VAD_FRAME } from './SileroVad.ts';

export interface SegmenterSettings {
  /** Probability at or above which a frame is speech. */
  threshold: number;
  /** Probability below which a frame counts as silence once speech started (hysteresis). */
  negThreshold: number;
  /** Utterances with less speech than this are discarded (clicks, coughs). */
  minSpeechMs: number;
  /** A pause this long ends an utterance: the main term of end-of-utterance latency. */
  minSilenceMs: number;
  /**
   * A pause this long announces a likely end ('pause' event): recognition of
   * the utterance so far may start speculatively. At or above `minSilenceMs`: never.
   */
  speculateAfterMs: number;
  /** Audio kept before the first and after the last speech frame. */
  padMs: number;
  /** Past this length, any pause of `softPauseMs` ends the utterance. */
  softMaxMs: number;
  softPauseMs: number;
  /** Hard cut: at the quietest frame of the last `cutSearchMs`. */
  maxUtteranceMs: number;
  cutSearchMs: number;
}

export const DEFAULT_SEGMENTER: SegmenterSettings = {
  threshold: 0.5,
  negThreshold: 0.35,
  minSpeechMs: 200,
  minSilenceMs: 400,
  speculateAfterMs: 150,
  padMs: 300,
  softMaxMs: 10_000,
  softPauseMs: 130,
  maxUtteranceMs: 15_000,
  cutSearchMs: 2_000,
};

export type CutReason = 'pause' | 'max-length' | 'flush';

export type SegmenterEvent =
  | { type: 'start'; startSample: number }
  | { type: 'end'; startSample: number; endSample: number; reason: CutReason }
  /** Speech too short to be an utterance: drop what was started. */
  | { type: 'discard'; startSample: number }
  /**
   * A pause of `speculateAfterMs`: if it lasts, the utterance is [startSample,
   * ≥ endSample) with nothing but silence past `endSample`.
   */
  | { type: 'pause'; startSample: number; endSample: number }
  /** The last 'pause' is void: the utterance went on (a frame at or above `negThreshold`). */
  | { type: 'resume'; startSample: number };

const msToFrames = (ms: number) => Math.max(1, Math.round((ms / 1000) * (SAMPLE_RATE / VAD_FRAME)));

export class Segmenter {
  readonly settings: SegmenterSettings;
  readonly #minSpeech: number;
  readonly #minSilence: number;
  readonly #speculate: number;
  readonly #pad: number;
  readonly #softMax: number;
  readonly #softPause: number;
  readonly #max: number;
  readonly #search: number;

  #frame = 0; // frames seen so far
  #inSpeech = false;
  #startSample = 0; // of the current utterance, padding included
  #lastSpeech = 0;
  #speechFrames = 0;
  #silenceRun = 0;
  #paused = false; // a 'pause' was announced and neither confirmed nor withdrawn
  #lastEndSample = 0;
  readonly #history: number[] = []; // probabilities of the last `#search` frames

  constructor(settings: Partial<SegmenterSettings> = {}) {
    this.settings = { ...DEFAULT_SEGMENTER, ...settings };
    const s = this.settings;
    this.#minSpeech = msToFrames(s.minSpeechMs);
    this.#minSilence = msToFrames(s.minSilenceMs);
    this.#speculate = msToFrames(s.speculateAfterMs);
    this.#pad = Math.round((s.padMs / 1000) * SAMPLE_RATE);
    this.#softMax = msToFrames(s.softMaxMs);
    this.#softPause = msToFrames(s.softPauseMs);
    this.#max = msToFrames(s.maxUtteranceMs);
    this.#search = msToFrames(s.cutSearchMs);
  }

  get inSpeech(): boolean {
    return this.#inSpeech;
  }

  /** Length of the pause in progress inside an utterance (0 while speaking or outside speech). */
  get silenceMs(): number {
    return this.#inSpeech ? (this.#silenceRun * VAD_FRAME * 1000) / SAMPLE_RATE : 0;
  }

  /** Samples consumed so far (frame-aligned). */
  get position(): number {
    return this.#frame * VAD_FRAME;
  }

  /** Feeds the probability of the next frame; returns what happened at it. */
  push(prob: number): SegmenterEvent[] {
    const f = this.#frame++;
    this.#history.push(prob);
    if (this.#history.length > this.#search) this.#history.shift();
    const events: SegmenterEvent[] = [];
    const s = this.settings;

    if (!this.#inSpeech) {
      if (prob >= s.threshold)
        this.#begin(f, Math.max(this.#lastEndSample, f * VAD_FRAME - this.#pad), events);
      return events;
    }

    if (prob < s.negThreshold) {
      this.#silenceRun++;
    } else {
      // At or above the threshold: speech; between the thresholds: still speech, not a pause.
      if (prob >= s.threshold) this.#lastSpeech = f;
      this.#speechFrames++;
      this.#silenceRun = 0;
      // Stricter than "speech above the threshold": a hysteresis frame may be a quiet
      // trailing syllable, and a final must cover every word.
      if (this.#paused) {
        this.#paused = false;
        events.push({ type: 'resume', startSample: this.#startSample });
      }
    }

    const length = f + 1 - this.#startSample / VAD_FRAME;
    if (this.#silenceRun >= this.#minSilence) {
      this.#end(
        Math.min((this.#lastSpeech + 1) * VAD_FRAME + this.#pad, (f + 1) * VAD_FRAME),
        'pause',
        events,
      );
    } else if (length >= this.#softMax && this.#silenceRun >= this.#softPause) {
      this.#end((f + 1) * VAD_FRAME, 'max-length', events);
    } else if (length >= this.#max) {
      // Cut at the quietest recent frame; what follows it starts the next utterance.
      let quietest = this.#history.length - 1;
      for (let i = this.#history.length - 1; i >= 0; i--)
        if (this.#history[i]! < this.#history[quietest]!) quietest = i;
      const cutFrame = f - (this.#history.length - 1 - quietest);
      const cutSample = (cutFrame + 1) * VAD_FRAME;
      this.#end(cutSample, 'max-length', events);
      this.#begin(cutFrame + 1, cutSample, events);
    } else if (
      !this.#paused &&
      this.#speculate < this.#minSilence &&
      this.#silenceRun >= this.#speculate &&
      this.#speechFrames >= this.#minSpeech // else the end would be a discard: nothing to recognise
    ) {
      this.#paused = true;
      events.push({
        type: 'pause',
        startSample: this.#startSample,
        endSample: Math.min((this.#lastSpeech + 1) * VAD_FRAME + this.#pad, (f + 1) * VAD_FRAME),
      });
    }
    return events;
  }

  /** End of stream: closes an open utterance. */
  flush(): SegmenterEvent[] {
    const events: SegmenterEvent[] = [];
    if (this.#inSpeech)
      this.#end(Math.min((this.#lastSpeech + 1) * VAD_FRAME + this.#pad, this.position), 'flush', events);
    return events;
  }

  #begin(frame: number, startSample: number, events: SegmenterEvent[]): void {
    this.#inSpeech = true;
    this.#startSample = startSample;
    this.#lastSpeech = frame;
    this.#speechFrames = 1;
    this.#silenceRun = 0;
    this.#paused = false;
    events.push({ type: 'start', startSample });
  }

  #end(endSample: number, reason: CutReason, events: SegmenterEvent[]): void {
    this.#inSpeech = false;
    this.#paused = false;
    this.#lastEndSample = endSample;
    if (this.#speechFrames < this.#minSpeech)
      events.push({ type: 'discard', startSample: this.#startSample });
    else events.push({ type: 'end', startSample: this.#startSample, endSample, reason });
  }
}
