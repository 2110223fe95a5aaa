// What the engine knows about one call so far: final utterances in time order
// (each tokenised once, phrase matches cached) and frame observations.
import type { CallRole } from '#protocol/roles';
import type { Normalizer, Tok } from '../text/normalize.ts';
import type { PhraseMatch, PhraseSet } from '../text/phrase-matcher.ts';

export interface Utterance {
  /** Arrival order, stable id within the call. */
  seq: number;
  role: CallRole;
  startMs: number;
  endMs: number;
  text: string;
  stream: Tok[];
  /** PhraseSet → its best match here (or null), computed on first use. */
  matches: Map<PhraseSet, PhraseMatch | null>;
}

/** One analysed video frame: how many faces, and what OCR read (when run). */
export interface FrameObservation {
  atMs: number;
  /** Camera name from the frame file prefix (`customer-12000.jpg`), `main` without one. */
  camera: string;
  faces?: number;
  text?: string;
  /**
   * The edge was too busy to analyse this camera's sample of the instant: what
   * it showed is unknown (not "nobody"). Such an instant is left out of
   * `faces-present` instead of counting as a missing face.
   */
  unsampled?: true;
}

export class CallState {
  readonly utterances: Utterance[] = [];
  readonly frames: FrameObservation[] = [];
  #seq = 0;
  #lastMs = 0;

  constructor(readonly normalizer: Normalizer) {}

  addUtterance(u: { role: CallRole; startMs: number; endMs: number; text: string }): Utterance {
    const utt: Utterance = {
      ...u,
      seq: this.#seq++,
      stream: this.normalizer.tokens(u.text),
      matches: new Map(),
    };
    // Segments of different speakers can arrive slightly out of order: keep time order.
    let i = this.utterances.length;
    while (i > 0 && this.utterances[i - 1]!.startMs > utt.startMs) i--;
    this.utterances.splice(i, 0, utt);
    this.#lastMs = Math.max(this.#lastMs, u.endMs);
    return utt;
  }

  addFrame(f: FrameObservation): void {
    this.frames.push(f);
    this.#lastMs = Math.max(this.#lastMs, f.atMs);
  }

  /** Latest time seen in speech or frames. */
  get lastMs(): number {
    return this.#lastMs;
  }
}

export function matchIn(set: PhraseSet, utt: Utterance): PhraseMatch | undefined {
  let m = utt.matches.get(set);
  if (m === undefined) {
    m = set.match(utt.stream) ?? null;
    utt.matches.set(set, m);
  }
  return m ?? undefined;
}

/** `m:ss` for reasons and evidence text. */
export function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
