// Speech text → a stream of comparable tokens. Phrases in packs and what people
// said go through the same steps, so both sides meet in the middle:
// lower case, contractions expanded, filler words dropped, numbers as digits,
// light stemming, the pack's synonyms folded to one canonical token (`~key`),
// negation cues and clause breaks kept as markers for negation scope.
import { wordsToDigits } from './numbers.ts';

export type Tok =
  | { kind: 'w'; w: string }
  /** A negation cue (not, no, never, without…). */
  | { kind: 'neg' }
  /** Ends a negation scope, matching may cross it (comma, and, but…). */
  | { kind: 'soft' }
  /** Sentence end: neither negation scope nor a phrase match crosses it. */
  | { kind: 'hard' };

const FILLERS = new Set(['um', 'umm', 'uh', 'uhm', 'er', 'erm', 'hmm', 'hm', 'mm', 'ah', 'eh', 'uhh']);
const NEGATIONS = new Set([
  'not',
  'no',
  'never',
  'without',
  'nobody',
  'none',
  'nothing',
  'neither',
  'nor',
  'nowhere',
]);
const SOFT_BREAKS = new Set([
  ',',
  ':',
  'and',
  'but',
  'so',
  'because',
  'however',
  'although',
  'though',
  'while',
  'whereas',
  'yet',
  'if',
  'unless',
]);
const HARD_BREAKS = new Set(['.', '?', '!', ';']);

/** Words that carry no meaning for matching (kept out of phrases and utterances alike). */
export const STOPWORDS = new Set(
  (
    'a an the is are was were be been being am to of in on at for by with from as this that these those it its ' +
    'i me my we our us you your he she they them their his her him there here do does did doing done will would shall should ' +
    'can could may might must have has had having just also very then than which who whom whose ' +
    'or please okay ok well like actually basically literally about any some all into over up out'
  ).split(/\s+/),
);

const CONTRACTIONS: [RegExp, string][] = [
  [/\bwon't\b/g, 'will not'],
  [/\bcan't\b/g, 'can not'],
  [/\bcannot\b/g, 'can not'],
  [/\bshan't\b/g, 'shall not'],
  [/\bain't\b/g, 'is not'],
  [/n't\b/g, ' not'],
  [/'re\b/g, ' are'],
  [/'m\b/g, ' am'],
  [/'ll\b/g, ' will'],
  [/'ve\b/g, ' have'],
  [/'d\b/g, ' would'],
  [/'s\b/g, ''],
  [/\bno one\b/g, 'nobody'],
  [/\bno-one\b/g, 'nobody'],
];

/** Light suffix stripping: enough to fold plural/tense/adverb forms, equal on both sides. */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3 || /\d/.test(w) || w.startsWith('~')) return w;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (/(ch|sh|x|ss|zz)es$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.endsWith('ing') && w.length > 5) w = w.slice(0, -3);
  else if (w.endsWith('ed') && w.length > 4) w = w.slice(0, -2);
  if (w.endsWith('ly') && w.length > 5) w = w.slice(0, -2);
  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  if (/([bdgmnprt])\1$/.test(w)) w = w.slice(0, -1);
  return w;
}

/** Lower-cased raw tokens (words, digits, punctuation) after contractions and fillers. */
export function rawTokens(text: string): string[] {
  let t = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\u2018\u2019`]/g, "'");
  for (const [re, rep] of CONTRACTIONS) t = t.replace(re, rep);
  t = t
    .replace(/(\d),(\d{3})/g, '$1$2')
    .replace(/%/g, ' percent ')
    .replace(/&/g, ' and ')
    .replace(/\b(r)\s*-?\s*(\d)\b/g, 'r$2')
    .replace(/-/g, ' ');
  const tokens = t.match(/\d+(?:\.\d+)?|[a-z]+|[.?!;:,]/g) ?? [];
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const w = tokens[i]!;
    if (FILLERS.has(w)) {
      if (tokens[i + 1] === ',') i += 1; // "um," leaves no clause break behind
      continue;
    }
    // "you know" / "i mean" as fillers, not in "do you know" or "what i mean"
    const next = tokens[i + 1];
    const prev = out[out.length - 1];
    if (
      ((w === 'you' && next === 'know') || (w === 'i' && next === 'mean')) &&
      !['do', 'did', 'not', 'what', 'if'].includes(prev ?? '')
    ) {
      const after = tokens[i + 2];
      if (after === undefined || after === ',' || prev === undefined || prev === ',') {
        i += 1;
        continue;
      }
    }
    out.push(w);
  }
  // "r three" → "r3" once the number is a digit (risk levels R1…R5).
  const digits = wordsToDigits(out);
  const joined: string[] = [];
  for (let i = 0; i < digits.length; i++) {
    if (digits[i] === 'r' && /^\d$/.test(digits[i + 1] ?? '')) {
      joined.push(`r${digits[i + 1]}`);
      i += 1;
    } else joined.push(digits[i]!);
  }
  return joined;
}

interface SynonymEntry {
  seq: string[];
  canonical: string;
}

/** Compiled text pipeline for one pack (its synonyms). */
export class Normalizer {
  readonly #synonyms: SynonymEntry[];

  constructor(synonyms: Record<string, string[]> = {}) {
    const entries: SynonymEntry[] = [];
    for (const [key, variants] of Object.entries(synonyms)) {
      for (const v of [key, ...variants]) {
        const seq = rawTokens(v)
          .filter((w) => /^[a-z0-9.]+$/.test(w))
          .map(stem);
        if (seq.length > 0) entries.push({ seq, canonical: `~${key}` });
      }
    }
    // Longest variants first so "initial investment" wins over "investment".
    this.#synonyms = entries.sort((a, b) => b.seq.length - a.seq.length);
  }

  /** The token stream used for matching. */
  tokens(text: string): Tok[] {
    const raw = rawTokens(text);
    const stemmed = raw.map(stem);
    const out: Tok[] = [];
    for (let i = 0; i < raw.length;) {
      // Synonyms first (their variants may hold stop words: "money you put in").
      const hit = this.#synonyms.find((e) => e.seq.every((s, k) => stemmed[i + k] === s));
      if (hit) {
        out.push({ kind: 'w', w: hit.canonical });
        i += hit.seq.length;
        continue;
      }
      const w = raw[i]!;
      if (HARD_BREAKS.has(w)) out.push({ kind: 'hard' });
      else if (SOFT_BREAKS.has(w)) out.push({ kind: 'soft' });
      else if (NEGATIONS.has(w)) out.push({ kind: 'neg' });
      else if (!STOPWORDS.has(w)) out.push({ kind: 'w', w: stemmed[i]! });
      i += 1;
    }
    return out;
  }
}
