// Finds a pack phrase in an utterance the way a listener would: its content
// words in any order within a short window (paraphrase, inserted words), each
// word fuzzily (recognition errors), and with the same polarity — the number of
// negation cues in scope must have the same parity as in the phrase, so
// "returns are not guaranteed" matches "there is no guarantee on returns" but
// not "returns are guaranteed", and "I can't say there's no risk" is no claim of "no risk".
import { tokenSimilarity } from './fuzzy.ts';
import type { Normalizer, Tok } from './normalize.ts';

/** Placeholder in a phrase that matches any number ("{number} days"). */
const NUMBER_SLOT = '{number}';

export interface CompiledPhrase {
  text: string;
  words: string[];
  /** Odd when the phrase itself is negated ("not a deposit"). */
  negated: boolean;
  /** A phrase of only negation ("no"): matches a bare negative answer. */
  bareNegation: boolean;
}

export interface PhraseMatch {
  phrase: string;
  /** Mean similarity of the phrase's words to the best window (0…1). */
  score: number;
  /** Stream positions of the first and last matched word. */
  first: number;
  last: number;
}

/** A negation cue scopes over at most this many following words of its clause. */
const NEG_SCOPE = 6;

export function compilePhrase(normalizer: Normalizer, text: string): CompiledPhrase {
  const slotSafe = text.replace(/\{number\}/g, ' numberslotx ');
  const toks = normalizer.tokens(slotSafe);
  const words = toks.flatMap((t) => (t.kind === 'w' ? [t.w === 'numberslotx' ? NUMBER_SLOT : t.w] : []));
  const negs = toks.filter((t) => t.kind === 'neg').length;
  return { text, words, negated: negs % 2 === 1, bareNegation: words.length === 0 && negs > 0 };
}

function wordSimilarity(phraseWord: string, word: string): number {
  if (phraseWord === NUMBER_SLOT) return /^\d+(\.\d+)?$/.test(word) ? 1 : 0;
  return tokenSimilarity(phraseWord, word);
}

/**
 * Whether a match is negated. A cue scopes forward over the rest of its clause
 * (up to the next comma, "and", "but", sentence end…), at most NEG_SCOPE words.
 * Each matched word counts the cues covering it; the most-covered word decides
 * by parity: "no guarantee of returns" is negated, "I can't promise there's no
 * risk" (two cues over "risk") is not, and "I can't promise your principal
 * won't be lost" keeps "lost" un-negated (two cues) although "principal" has one.
 */
function isNegated(stream: Tok[], matched: Set<number>): boolean {
  let most = 0;
  for (const pos of matched) {
    let cover = 0;
    let words = 0;
    for (let i = pos - 1; i >= 0; i--) {
      const t = stream[i]!;
      if (t.kind === 'soft' || t.kind === 'hard') break;
      if (t.kind === 'neg') cover += 1;
      else if (t.kind === 'w' && ++words >= NEG_SCOPE) break;
    }
    most = Math.max(most, cover);
  }
  return most % 2 === 1;
}

/**
 * Every occurrence of `phrase` in `stream` with the phrase's polarity and at
 * least `minScore`, one per first matched word, best first.
 */
export function matchAll(phrase: CompiledPhrase, stream: Tok[], minScore: number): PhraseMatch[] {
  if (phrase.bareNegation) {
    // "No." / "No, not really" as a whole answer.
    const head = stream[0];
    const bare = head?.kind === 'neg' && (stream.length === 1 || stream[1]!.kind !== 'w');
    return bare ? [{ phrase: phrase.text, score: 1, first: 0, last: 0 }] : [];
  }
  const n = phrase.words.length;
  if (n === 0) return [];
  const wordPos: number[] = [];
  for (let i = 0; i < stream.length; i++) if (stream[i]!.kind === 'w') wordPos.push(i);
  const windowLen = n + Math.max(2, Math.ceil(n * 0.6));
  const found: PhraseMatch[] = [];
  for (let s = 0; s < wordPos.length; s++) {
    // The window holds up to windowLen words and stops at a sentence end.
    const window: number[] = [];
    for (let k = s; k < wordPos.length && window.length < windowLen; k++) {
      if (k > s && stream.slice(wordPos[k - 1]! + 1, wordPos[k]!).some((t) => t.kind === 'hard')) break;
      window.push(wordPos[k]!);
    }
    // Greedy best pairing of phrase words to window words, each used once.
    const used = new Set<number>();
    let total = 0;
    let first = Infinity;
    let last = -1;
    for (const pw of phrase.words) {
      let bestSim = 0;
      let bestPos = -1;
      for (const pos of window) {
        if (used.has(pos)) continue;
        const sim = wordSimilarity(pw, (stream[pos] as { w: string }).w);
        if (sim > bestSim) {
          bestSim = sim;
          bestPos = pos;
        }
      }
      if (bestPos >= 0) {
        used.add(bestPos);
        total += bestSim;
        first = Math.min(first, bestPos);
        last = Math.max(last, bestPos);
      }
    }
    const score = total / n;
    // Anchored on its first matched word, so one occurrence is reported once.
    if (score < minScore || first !== wordPos[s]) continue;
    const negated = isNegated(stream, used);
    if (negated !== phrase.negated) continue;
    found.push({ phrase: phrase.text, score, first, last });
  }
  return found.sort((a, b) => b.score - a.score);
}

/** Best match of `phrase` in `stream` with the phrase's polarity, or undefined below `minScore`. */
export function matchPhrase(
  phrase: CompiledPhrase,
  stream: Tok[],
  minScore: number,
): PhraseMatch | undefined {
  return matchAll(phrase, stream, minScore)[0];
}

/** A set of alternative phrases (any one will do). */
export class PhraseSet {
  readonly phrases: CompiledPhrase[];

  constructor(
    normalizer: Normalizer,
    texts: string[],
    readonly minScore: number,
  ) {
    this.phrases = texts.map((t) => compilePhrase(normalizer, t));
  }

  /** The best-scoring phrase found in the stream. */
  match(stream: Tok[]): PhraseMatch | undefined {
    let best: PhraseMatch | undefined;
    for (const p of this.phrases) {
      const m = matchPhrase(p, stream, this.minScore);
      if (m && (!best || m.score > best.score)) best = m;
      if (best?.score === 1) break;
    }
    return best;
  }

  /** Every occurrence of any phrase (for locating cues), in stream order. */
  occurrences(stream: Tok[]): PhraseMatch[] {
    return this.phrases.flatMap((p) => matchAll(p, stream, this.minScore)).sort((a, b) => a.first - b.first);
  }
}
