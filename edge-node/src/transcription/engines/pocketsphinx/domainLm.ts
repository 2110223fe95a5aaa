// A domain language model for pocketsphinx, built in milliseconds from the
// banking corpus plus the rule pack's hints: an ARPA bigram with absolute
// discounting and properly normalised back-off to unigrams, and a dictionary
// cut down to its vocabulary (faster to load, fewer confusions).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BANKING_CORPUS } from './bankingCorpus.ts';

/** Short everyday words, so replies outside the corpus have somewhere to go. */
const EVERYDAY = `yes no not okay sure thank thanks you please hello hi good morning afternoon evening name is my i am we are
the a an and or but so to of in on for with this that it is was be have has do does did will would can could may might
what how when where why who which your our their there here very well really just now then also about like think know
want need buy take go ahead sign money fund product plan policy insurance bank account savings year years month months
day days percent fee fees rate risk risks level understand clear explain again question questions sorry maybe confused
own decision mister missus miss doctor card id passport full confirm show see right correct fine great sir madam`;

const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

export function numberToWords(n: number): string {
  if (n < 20) return ONES[n]!;
  if (n < 100) return `${TENS[Math.floor(n / 10)]}${n % 10 ? ` ${ONES[n % 10]}` : ''}`;
  if (n < 1000) return `${ONES[Math.floor(n / 100)]} hundred${n % 100 ? ` ${numberToWords(n % 100)}` : ''}`;
  if (n < 1_000_000)
    return `${numberToWords(Math.floor(n / 1000))} thousand${n % 1000 ? ` ${numberToWords(n % 1000)}` : ''}`;
  return String(n);
}

/** Lower case words of a phrase as a recogniser says them: digits spelled out, hyphens split, punctuation dropped. */
export function normalizeWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/\{number\}/g, ' five ')
    .replace(/%/g, ' percent ')
    .replace(/\d+/g, (d) => ` ${numberToWords(Number(d))} `)
    .replace(/[^a-z' ]+/g, ' ')
    .split(/\s+/)
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter((w) => w.length > 0);
}

export type PronouncingDictionary = Map<string, string[]>;

const dictCache = new Map<string, PronouncingDictionary>();

/** cmudict-style file: `word PH ON ES`, variants as `word(2)`. Cached per path. */
export function loadDictionary(file: string): PronouncingDictionary {
  const cached = dictCache.get(file);
  if (cached) return cached;
  const map: PronouncingDictionary = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const word = line.slice(0, sp).replace(/\(\d+\)$/, '');
    const entries = map.get(word);
    if (entries) entries.push(line);
    else map.set(word, [line]);
  }
  dictCache.set(file, map);
  return map;
}

const D = 0.5;

/** ARPA text of a bigram model over `vocabulary` trained on `sentences`. */
export function buildArpa(sentences: string[][], vocabulary: string[]): string {
  const uni = new Map<string, number>();
  const bi = new Map<string, Map<string, number>>();
  const inc = (m: Map<string, number>, k: string, n = 1) => m.set(k, (m.get(k) ?? 0) + n);
  for (const w of vocabulary) inc(uni, w, 1); // add-one: every word is possible
  for (const s of sentences) {
    const seq = ['<s>', ...s, '</s>'];
    for (let i = 0; i < seq.length; i++) {
      inc(uni, seq[i]!);
      if (i === 0) continue;
      let row = bi.get(seq[i - 1]!);
      if (!row) bi.set(seq[i - 1]!, (row = new Map()));
      inc(row, seq[i]!);
    }
  }
  const total = [...uni].filter(([w]) => w !== '<s>').reduce((a, [, c]) => a + c, 0);
  const pUni = new Map([...uni].map(([w, c]) => [w, c / total]));
  const biLines: string[] = [];
  const backoff = new Map<string, number>();
  for (const [w1, row] of bi) {
    const count = [...row.values()].reduce((a, b) => a + b, 0);
    let seenUni = 0;
    for (const [w2, c] of row) {
      biLines.push(`${Math.log10((c - D) / count).toFixed(4)} ${w1} ${w2}`);
      seenUni += pUni.get(w2) ?? 0;
    }
    // The discounted mass goes to unseen successors in proportion to their unigram probability.
    backoff.set(w1, Math.log10((D * row.size) / count / Math.max(1e-9, 1 - seenUni)));
  }
  const uniLines = [...pUni].map(
    ([w, p]) =>
      `${w === '<s>' ? '-99.0000' : Math.log10(p).toFixed(4)} ${w} ${(backoff.get(w) ?? 0).toFixed(4)}`,
  );
  return `\\data\\\nngram 1=${uniLines.length}\nngram 2=${biLines.length}\n\n\\1-grams:\n${uniLines.join('\n')}\n\n\\2-grams:\n${biLines.join('\n')}\n\n\\end\\\n`;
}

export interface DomainModel {
  lmPath: string;
  dictPath: string;
  vocabulary: number;
  /** Hint words the pronouncing dictionary lacks: never recognisable by this engine. */
  unknownWords: string[];
}

/** Builds (or reuses, keyed by content) the LM and dictionary for `hints` in a cache directory. */
export function buildDomainModel(
  hints: string[],
  cmudictPath: string,
  cacheDir = path.join(os.tmpdir(), 'branchedge-sphinx'),
): DomainModel {
  const dict = loadDictionary(cmudictPath);
  const hintSentences = hints.map(normalizeWords).filter((s) => s.length > 0);
  const corpus = [...BANKING_CORPUS.map(normalizeWords), ...hintSentences];
  const wanted = new Set([
    ...EVERYDAY.split(/\s+/),
    ...ONES,
    ...TENS.filter(Boolean),
    'hundred',
    'thousand',
    'percent',
    ...corpus.flat(),
  ]);
  const unknownWords = [...wanted].filter((w) => !dict.has(w));
  const vocabulary = [...wanted].filter((w) => dict.has(w)).sort();
  // Sentences keep only pronounceable words; an unknown word would break the bigram chain anyway.
  const sentences = corpus.map((s) => s.filter((w) => dict.has(w))).filter((s) => s.length > 0);
  const key = createHash('sha256')
    .update(cmudictPath)
    .update(JSON.stringify(sentences))
    .update(vocabulary.join(' '))
    .digest('hex')
    .slice(0, 16);
  const dir = path.join(cacheDir, key);
  const lmPath = path.join(dir, 'domain.arpa');
  const dictPath = path.join(dir, 'domain.dict');
  if (!existsSync(lmPath) || !existsSync(dictPath)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dictPath}.tmp`, `${vocabulary.flatMap((w) => dict.get(w)!).join('\n')}\n`);
    writeFileSync(`${lmPath}.tmp`, buildArpa(sentences, vocabulary));
    // Rename last: a concurrent builder never sees half a file.
    for (const f of [dictPath, lmPath]) renameSync(`${f}.tmp`, f);
  }
  return { lmPath, dictPath, vocabulary: vocabulary.length, unknownWords };
}
