// The temporary pocketsphinx adapter's pure parts: output parsing and the domain language model.
import { describe, expect, test } from 'vitest';
import { buildArpa, parseTimedOutput } from '../../../edge-node/src/compliance/audio/pocketsphinx-adapter.ts';

describe('pocketsphinx adapter', () => {
  test('timed output becomes one segment per utterance, long pauses become commas', () => {
    const out = [
      'returns are not guaranteed',
      '<s> 0.000 0.120 0.99',
      'returns 0.130 0.600 0.8',
      'are(2) 0.610 0.700 0.5',
      'not 0.710 0.900 0.9',
      'guaranteed 0.910 1.500 0.7',
      '<sil> 1.510 1.800 0.99',
      'you 1.810 1.900 0.6',
      'lose 1.910 2.200 0.6',
      '<sil> 2.210 2.600 0.99',
      '</s> 2.610 2.700 1.0',
      '<s> 5.000 5.100 0.99',
      '[NOISE] 5.100 5.300 0.1',
      'yes 5.310 5.600 0.9',
      '</s> 5.610 5.700 1.0',
    ].join('\n');
    const segs = parseTimedOutput(out);
    expect(segs.map((s) => s.text)).toEqual(['returns are not guaranteed, you lose', 'yes']);
    expect(segs[0]).toMatchObject({ startMs: 130, endMs: 2200 });
    expect(segs[0]!.confidence).toBeCloseTo((0.8 + 0.5 + 0.9 + 0.7 + 0.6 + 0.6) / 6);
    expect(segs[1]).toMatchObject({ startMs: 5310, endMs: 5600, text: 'yes' });
  });

  test('the domain model is a valid ARPA bigram file over the vocabulary', () => {
    const arpa = buildArpa([['returns', 'are', 'not', 'guaranteed']], ['yes', 'no', 'returns']);
    expect(arpa).toMatch(/^\\data\\\nngram 1=\d+\nngram 2=\d+/);
    const unigrams = arpa.split('\\1-grams:\n')[1]!.split('\n\n')[0]!.split('\n');
    const words = unigrams.map((l) => l.split(' ')[1]);
    expect(words).toEqual(expect.arrayContaining(['<s>', '</s>', 'yes', 'no', 'returns', 'guaranteed']));
    expect(arpa).toMatch(/-?\d+\.\d+ not guaranteed\n/);
    expect(arpa.trim().endsWith('\\end\\')).toBe(true);
  });
});
