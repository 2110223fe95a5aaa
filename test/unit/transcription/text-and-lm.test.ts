import { describe, expect, test } from 'vitest';
import {
  buildArpa,
  normalizeWords,
  numberToWords,
} from '../../../edge-node/src/transcription/engines/pocketsphinx/domainLm.ts';
import { parseTimedOutput } from '../../../edge-node/src/transcription/engines/pocketsphinx/PocketsphinxEngine.ts';
import { audioCtxFor } from '../../../edge-node/src/transcription/engines/whisper/WhisperEngine.ts';
import {
  cleanWhisperText,
  hintsToPrompt,
  DEFAULT_PROMPT_CHARS,
  tokenBudget,
} from '../../../edge-node/src/transcription/engines/whisper/whisperText.ts';
import { corpusWer, wordErrors } from '../../../edge-node/src/transcription/eval/wer.ts';
import { PcmWindow } from '../../../edge-node/src/transcription/stream/PcmWindow.ts';

describe('word error rate', () => {
  test('counts substitutions, deletions and insertions on normalised words', () => {
    expect(
      wordErrors('The cooling-off period is 15 days.', 'the cooling off period is fifteen days').wer,
    ).toBe(0);
    expect(wordErrors('a b c d', 'a x c')).toEqual({ wer: 0.5, errors: 2, words: 4 });
    expect(wordErrors('a b', 'a b c d').errors).toBe(2);
    expect(
      corpusWer([
        { reference: 'a b', hypothesis: 'a' },
        { reference: 'c d e f', hypothesis: 'c d e f' },
      ]).wer,
    ).toBeCloseTo(1 / 6);
  });

  test('numbers are spelled as a recogniser says them', () => {
    expect(numberToWords(0)).toBe('zero');
    expect(numberToWords(42)).toBe('forty two');
    expect(numberToWords(2028)).toBe('two thousand twenty eight');
    expect(normalizeWords('R3, 5% fee')).toEqual(['r', 'three', 'five', 'percent', 'fee']);
  });
});

describe('domain language model', () => {
  test('every context’s probabilities (seen bigrams + back-off mass) sum to one', () => {
    const sentences = [
      ['the', 'principal', 'may', 'be', 'lost'],
      ['the', 'returns', 'are', 'not', 'guaranteed'],
      ['not', 'a', 'deposit'],
    ];
    const vocabulary = [...new Set([...sentences.flat(), 'yes', 'no'])];
    const arpa = buildArpa(sentences, vocabulary);
    const uni = new Map<string, { p: number; bow: number }>();
    const bi = new Map<string, Map<string, number>>();
    let section = '';
    for (const line of arpa.split('\n')) {
      if (line.startsWith('\\')) section = line;
      const parts = line.trim().split(/\s+/);
      if (section === '\\1-grams:' && parts.length === 3)
        uni.set(parts[1]!, { p: 10 ** Number(parts[0]), bow: 10 ** Number(parts[2]) });
      if (section === '\\2-grams:' && parts.length === 3) {
        const row = bi.get(parts[1]!) ?? new Map<string, number>();
        row.set(parts[2]!, 10 ** Number(parts[0]));
        bi.set(parts[1]!, row);
      }
    }
    const unigramTotal = [...uni].filter(([w]) => w !== '<s>').reduce((a, [, u]) => a + u.p, 0);
    expect(unigramTotal).toBeCloseTo(1, 3);
    for (const [w1, row] of bi) {
      let total = 0;
      for (const w2 of uni.keys()) {
        if (w2 === '<s>') continue;
        total += row.get(w2) ?? uni.get(w1)!.bow * uni.get(w2)!.p;
      }
      expect(total, `context ${w1}`).toBeCloseTo(1, 2);
    }
  });
});

describe('engine output parsing', () => {
  test('pocketsphinx word times become one segment per utterance, fillers dropped', () => {
    const out = [
      'not a deposit',
      '<s> 0.000 0.100 0.990',
      'not 0.110 0.300 0.800',
      '<sil> 0.310 0.350 0.990',
      'a(2) 0.360 0.400 0.600',
      'deposit 0.410 0.900 0.700',
      '</s> 0.910 1.000 1.000',
      '[NOISE] 1.100 1.200 0.5',
    ].join('\n');
    const segs = parseTimedOutput(out);
    expect(segs).toHaveLength(1);
    expect(segs[0]).toMatchObject({ startMs: 110, endMs: 900, text: 'not a deposit' });
    expect(segs[0]!.confidence).toBeCloseTo(0.7);
  });

  test('Whisper annotations are removed and hints fit in a bounded prompt', () => {
    expect(cleanWhisperText(' [BLANK_AUDIO] Hello (coughs) there *music* ')).toBe('Hello there');
    expect(hintsToPrompt(['principal', 'deposit insurance'])).toBe('principal, deposit insurance.');
    const many = Array.from({ length: 500 }, (_, i) => `phrase number ${i}`);
    // Default: ~100 characters (every prompt character costs decoder time), whole hints only, in order.
    expect(hintsToPrompt(many).length).toBeLessThanOrEqual(DEFAULT_PROMPT_CHARS);
    expect(hintsToPrompt(many)).toMatch(/^phrase number 0, phrase number 1, .*\d\.$/);
    expect(hintsToPrompt(many, 600).length).toBeLessThanOrEqual(600);
    expect(hintsToPrompt(many, 5000).length).toBeLessThanOrEqual(600);
    expect(hintsToPrompt(many, 0)).toBe('');
    expect(hintsToPrompt([])).toBe('');
  });

  test('the token budget follows the audio length, with more room for non-English speech', () => {
    expect(tokenBudget(1000, false)).toBe(15);
    expect(tokenBudget(4000, false)).toBe(36);
    // A real sentence never comes near it: 165 wpm ≈ 3.6 tokens a second.
    expect(tokenBudget(4000, false)).toBeGreaterThan(4 * 3.6 * 2);
    expect(tokenBudget(4000, true)).toBeGreaterThan(tokenBudget(4000, false));
    // Partials (previews) get less, still above speech's rate.
    expect(tokenBudget(1000, false, true)).toBe(9);
    expect(tokenBudget(3000, false, true)).toBeGreaterThan(3 * 3.6);
    expect(tokenBudget(3000, false, true)).toBeLessThan(tokenBudget(3000, false));
    // Whisper's context bounds it whatever the length.
    expect(tokenBudget(60_000, true)).toBe(224);
  });

  test('the encoder context follows the audio length and never exceeds 30 s', () => {
    expect(audioCtxFor(16000)).toBe(128);
    expect(audioCtxFor(16000 * 8)).toBe(448);
    expect(audioCtxFor(16000 * 29)).toBe(1500);
    expect(audioCtxFor(16000 * 60)).toBe(1500);
  });
});

describe('PcmWindow', () => {
  test('slices by absolute sample index and frees what is trimmed', () => {
    const w = new PcmWindow();
    w.append(Float32Array.from({ length: 100 }, (_, i) => i));
    w.trimBefore(40);
    expect(w.start).toBe(40);
    expect([...w.slice(38, 43)]).toEqual([40, 41, 42]);
    w.append(Float32Array.of(100, 101));
    expect(w.end).toBe(102);
    w.reset(1000);
    expect(w.slice(0, 2000)).toHaveLength(0);
  });

  test('shrinks again after a long utterance', () => {
    const w = new PcmWindow();
    w.append(new Float32Array(16000 * 20));
    expect(w.capacity).toBeGreaterThanOrEqual(16000 * 20);
    w.trimBefore(16000 * 20 - 100);
    expect(w.capacity).toBeLessThanOrEqual(16000 * 4);
  });
});
