// Word error rate: (substitutions + deletions + insertions) / reference words,
// on normalised words (lower case, digits spelled out, punctuation and hyphens
// dropped), so "cooling-off" and "cooling off" or "15" and "fifteen" agree.
import { normalizeWords } from '../engines/pocketsphinx/domainLm.ts';

export interface WerResult {
  wer: number;
  errors: number;
  words: number;
}

export function wordErrors(reference: string, hypothesis: string): WerResult {
  const ref = normalizeWords(reference);
  const hyp = normalizeWords(hypothesis);
  let prev = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const cur = [i];
    for (let j = 1; j <= hyp.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (ref[i - 1] === hyp[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  const errors = prev[hyp.length]!;
  return {
    wer: ref.length === 0 ? (hyp.length === 0 ? 0 : 1) : errors / ref.length,
    errors,
    words: ref.length,
  };
}

/** Corpus WER: total errors over total reference words. */
export function corpusWer(pairs: { reference: string; hypothesis: string }[]): WerResult {
  return sumWer(pairs.map((p) => wordErrors(p.reference, p.hypothesis)));
}

/** Several results as one: their errors over their words. */
export function sumWer(results: WerResult[]): WerResult {
  const errors = results.reduce((a, r) => a + r.errors, 0);
  const words = results.reduce((a, r) => a + r.words, 0);
  return { wer: words === 0 ? 0 : errors / words, errors, words };
}
