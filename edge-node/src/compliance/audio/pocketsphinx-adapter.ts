// TEMPORARY ADAPTER (compliance-local): Debian's `pocketsphinx_continuous`
// behind the SpeechEngine interface of edge-node/src/transcription/engine.ts,
// until edge-node/src/transcription/index.ts exports `createSpeechEngine`.
// Unify then: delete this file and use the transcription pipeline's engine.
//
// With hints, recognition is restricted to a domain language model built here
// from the hints (the rule pack's phrases) plus a small everyday vocabulary:
// the generic en-us model gets ~70% of espeak words wrong, a domain model far fewer.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '#protocol/errors';
import type { RecognizedSegment, RecognizeOptions, SpeechEngine } from '../../transcription/engine.ts';
import { SAMPLE_RATE } from './wav.ts';

const MODEL_DIR = process.env.POCKETSPHINX_MODEL_DIR ?? '/usr/share/pocketsphinx/model/en-us';
const BINARY = process.env.POCKETSPHINX_BIN ?? 'pocketsphinx_continuous';

/** Everyday words of a counter conversation, so speech outside the hints has somewhere to go. */
const EVERYDAY = `yes no not okay ok sure thank thanks you please hello good morning afternoon name is my i am we are
the a an and or but so to of in on for with this that it is was be have has do does did will would can could may might
what how when where why who which your our their there here very well really just now then also about like think know
want need like buy take go ahead sign money fund product plan policy insurance bank account savings year years month
months day days percent fee fees rate risk risks level balanced conservative moderate growth aggressive cautious
one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen twenty thirty forty fifty
hundred thousand point understand clear explain again question questions sorry maybe guess confused own decision
mister missus miss doctor card id passport full confirm show see here`;

let dictCache: Map<string, string[]> | undefined;
function cmudict(): Map<string, string[]> {
  if (dictCache) return dictCache;
  const map = new Map<string, string[]>();
  for (const line of readFileSync(path.join(MODEL_DIR, 'cmudict-en-us.dict'), 'utf8').split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const word = line.slice(0, sp).replace(/\(\d+\)$/, '');
    map.set(word, [...(map.get(word) ?? []), line]);
  }
  dictCache = map;
  return map;
}

const NUMBER_WORDS = 'zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty ninety hundred thousand point'.split(' ');

const DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

function sentencesOf(hints: string[]): string[][] {
  return hints
    .map((h) =>
      h
        .toLowerCase()
        .replace(/\{number\}/g, 'five')
        // "r3" / "level 3" are said "r three" / "level three"
        .replace(/(\d)/g, (d) => ` ${DIGIT_WORDS[Number(d)]} `)
        .replace(/[^a-z' ]+/g, ' ')
        .trim(),
    )
    .filter((h) => h.length > 0)
    .map((h) => h.split(/\s+/));
}

/**
 * ARPA bigram model: absolute discounting (D = 0.5) with back-off to add-one
 * unigrams. Small, deterministic, built in milliseconds.
 */
export function buildArpa(sentences: string[][], vocabulary: string[]): string {
  const uni = new Map<string, number>();
  const bi = new Map<string, Map<string, number>>();
  const add = (m: Map<string, number>, k: string, n = 1) => m.set(k, (m.get(k) ?? 0) + n);
  for (const w of vocabulary) add(uni, w, 1);
  for (const s of sentences) {
    const seq = ['<s>', ...s, '</s>'];
    for (let i = 0; i < seq.length; i++) {
      add(uni, seq[i]!, 3);
      if (i > 0) {
        const row = bi.get(seq[i - 1]!) ?? new Map<string, number>();
        add(row, seq[i]!);
        bi.set(seq[i - 1]!, row);
      }
    }
  }
  // Open sentences anywhere: any word may start or end an utterance.
  for (const w of vocabulary) {
    const row = bi.get('<s>') ?? new Map<string, number>();
    add(row, w, 0.25);
    bi.set('<s>', row);
  }
  add(uni, '<s>', 1);
  add(uni, '</s>', 1);
  const total = [...uni.values()].reduce((a, b) => a + b, 0);
  const pUni = new Map([...uni].map(([w, c]) => [w, c / total]));
  const D = 0.5;
  const lines: string[] = [];
  const biLines: string[] = [];
  const backoff = new Map<string, number>();
  for (const [w1, row] of bi) {
    const count = [...row.values()].reduce((a, b) => a + b, 0);
    let mass = 0;
    let uniMass = 0;
    for (const [w2, c] of row) {
      const p = Math.max(c - D, 0.05) / count;
      mass += p;
      uniMass += pUni.get(w2) ?? 0;
      biLines.push(`${Math.log10(p).toFixed(4)} ${w1} ${w2}`);
    }
    backoff.set(w1, Math.log10(Math.max(1e-6, 1 - mass) / Math.max(1e-6, 1 - uniMass)));
  }
  for (const [w, p] of pUni) lines.push(`${w === '<s>' ? '-99' : Math.log10(p).toFixed(4)} ${w} ${(backoff.get(w) ?? 0).toFixed(4)}`);
  return `\\data\\\nngram 1=${lines.length}\nngram 2=${biLines.length}\n\n\\1-grams:\n${lines.join('\n')}\n\n\\2-grams:\n${biLines.join('\n')}\n\n\\end\\\n`;
}

function wav16(pcm: Float32Array): Buffer {
  const data = Buffer.alloc(pcm.length * 2);
  for (let i = 0; i < pcm.length; i++) data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, pcm[i]!)) * 32767), i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(SAMPLE_RATE, 24);
  h.writeUInt32LE(SAMPLE_RATE * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** A silence this long inside an utterance is written as a comma: it ends a clause (and a negation's scope). */
const PAUSE_AS_COMMA_S = 0.15;

/** Word lines `word start end conf` grouped by utterance (`<s>` … `</s>`); long `<sil>` become commas. */
export function parseTimedOutput(out: string): RecognizedSegment[] {
  const segments: RecognizedSegment[] = [];
  let words: { w: string; s: number; e: number; c: number }[] = [];
  const flush = () => {
    while (words.at(-1)?.w === ',') words.pop();
    const spoken = words.filter((x) => x.w !== ',');
    if (spoken.length) {
      segments.push({
        startMs: Math.round(words[0]!.s * 1000),
        endMs: Math.round(words.at(-1)!.e * 1000),
        text: words
          .map((x) => x.w)
          .join(' ')
          .replace(/ ,/g, ',')
          .replace(/(,)+/g, ',')
          .replace(/^,\s*|,\s*$/g, ''),
        confidence: spoken.reduce((a, x) => a + x.c, 0) / Math.max(1, spoken.length),
      });
    }
    words = [];
  };
  for (const line of out.split('\n')) {
    const m = /^(\S+) (\d+\.\d+) (\d+\.\d+) (\d+(?:\.\d+)?)$/.exec(line.trim());
    if (!m) continue;
    const w = m[1]!.replace(/\(\d+\)$/, '');
    if (w === '<s>') flush();
    else if (w === '</s>') flush();
    else if (w === '<sil>' && Number(m[3]) - Number(m[2]) >= PAUSE_AS_COMMA_S && words.length > 0) words.push({ w: ',', s: Number(m[2]), e: Number(m[3]), c: 1 });
    else if (!w.startsWith('<') && !w.startsWith('[') && !w.startsWith('+')) words.push({ w, s: Number(m[2]), e: Number(m[3]), c: Number(m[4]) });
  }
  flush();
  return segments;
}

export class PocketsphinxCliEngine implements SpeechEngine {
  readonly name = 'pocketsphinx:en-us';

  constructor() {
    if (!existsSync(path.join(MODEL_DIR, 'cmudict-en-us.dict'))) throw new AppError('unavailable', `pocketsphinx model not found in ${MODEL_DIR} (apt-get install pocketsphinx-en-us)`);
  }

  async recognize(pcm16k: Float32Array, options: RecognizeOptions = {}): Promise<RecognizedSegment[]> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'branchedge-sphinx-'));
    try {
      const wavFile = path.join(dir, 'in.wav');
      writeFileSync(wavFile, wav16(pcm16k));
      const args = ['-infile', wavFile, '-time', 'yes', '-logfn', '/dev/null', '-hmm', path.join(MODEL_DIR, 'en-us'), ...(process.env.POCKETSPHINX_ARGS ? process.env.POCKETSPHINX_ARGS.split(' ') : [])];
      if (options.hints && options.hints.length > 0) {
        const dict = cmudict();
        const sentences = sentencesOf(options.hints).map((s) => s.filter((w) => dict.has(w)));
        const vocabulary = [...new Set([...EVERYDAY.split(/\s+/), ...NUMBER_WORDS, ...sentences.flat()])].filter((w) => dict.has(w));
        writeFileSync(path.join(dir, 'lm.arpa'), buildArpa(sentences, vocabulary));
        writeFileSync(path.join(dir, 'words.dict'), `${vocabulary.flatMap((w) => dict.get(w)!).join('\n')}\n`);
        args.push('-lm', path.join(dir, 'lm.arpa'), '-dict', path.join(dir, 'words.dict'));
      } else {
        args.push('-lm', path.join(MODEL_DIR, 'en-us.lm.bin'), '-dict', path.join(MODEL_DIR, 'cmudict-en-us.dict'));
      }
      const out = await new Promise<string>((resolve, reject) => {
        const child = spawn(BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
        child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
        child.on('error', (e) => reject(new AppError('unavailable', `cannot run ${BINARY}: ${e.message}`)));
        child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new AppError('internal', `${BINARY} failed (${code}): ${stderr.split('\n').find((l) => /error/i.test(l)) ?? ''}`))));
      });
      return parseTimedOutput(out);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async close(): Promise<void> {}
}
