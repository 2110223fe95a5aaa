// Normalisation and phrase matching on the kinds of speech the issue lists:
// fillers, contractions, numbers as words, word order, recognition errors, negation scope.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Normalizer, rawTokens } from '../../../edge-node/src/compliance/text/normalize.ts';
import { wordsToDigits } from '../../../edge-node/src/compliance/text/numbers.ts';
import { substringDistance, tokenSimilarity } from '../../../edge-node/src/compliance/text/fuzzy.ts';
import { compilePhrase, matchPhrase } from '../../../edge-node/src/compliance/text/phrase-matcher.ts';

const normalizer = new Normalizer({
  guarantee: ['guaranteed', 'guarantees', 'assured', 'promise', 'promised'],
  lose: ['lost', 'losing', 'loss'],
  principal: ['principle', 'capital', 'initial investment', 'money you put in'],
  return: ['returns', 'yield'],
  deposit: ['deposits'],
});

function matches(phrase: string, said: string, minScore = 0.75): boolean {
  return matchPhrase(compilePhrase(normalizer, phrase), normalizer.tokens(said), minScore) !== undefined;
}

describe('normalisation', () => {
  test('numbers said as words become digits, including decimals and compounds', () => {
    expect(wordsToDigits('a fee of one point two five percent'.split(' '))).toEqual([
      'a',
      'fee',
      'of',
      '1.25',
      'percent',
    ]);
    expect(wordsToDigits('one hundred and twenty thousand'.split(' '))).toEqual(['120000']);
    expect(wordsToDigits('twenty one days'.split(' '))).toEqual(['21', 'days']);
  });

  test('risk levels said as "R three" and written "R3" or "r-3" are the same token', () => {
    expect(rawTokens('rated R three')).toContain('r3');
    expect(rawTokens('rated R3')).toContain('r3');
    expect(rawTokens('rated r-3')).toContain('r3');
  });

  test('contractions expand and fillers disappear', () => {
    expect(rawTokens("Um, it isn't guaranteed, you know.")).toEqual([
      'it',
      'is',
      'not',
      'guaranteed',
      ',',
      '.',
    ]);
    expect(rawTokens("we can't and won't")).toEqual(['we', 'can', 'not', 'and', 'will', 'not']);
  });

  test('"do you know" is a question, not a filler', () => {
    expect(rawTokens('do you know the fee')).toEqual(['do', 'you', 'know', 'the', 'fee']);
  });
});

describe('fuzzy tokens', () => {
  test('tolerates recognition errors in long words but not in short ones', () => {
    expect(tokenSimilarity('principal', 'principle')).toBeGreaterThan(0.7);
    expect(tokenSimilarity('guarante', 'guarantie')).toBeGreaterThan(0.7);
    expect(tokenSimilarity('no', 'so')).toBe(0);
    expect(tokenSimilarity('r3', 'r4')).toBe(0);
  });

  test('OCR text without spaces still contains a title', () => {
    expect(substringDistance('riskdisclosurestatementproductrisk', 'riskdisclosurestatement')).toBe(0);
    expect(substringDistance('xxriskdisc1osurestatement', 'riskdisclosurestatement')).toBe(1);
  });
});

describe('phrase matching', () => {
  test('paraphrase and word order: "no guarantee on returns" matches "returns are not guaranteed"', () => {
    expect(matches('returns are not guaranteed', 'there is no guarantee on your returns')).toBe(true);
    expect(matches('returns are not guaranteed', 'we cannot promise any yield')).toBe(true);
  });

  test('negation flips a disclosure into a claim and back', () => {
    expect(matches('returns are guaranteed', 'your returns are guaranteed')).toBe(true);
    expect(matches('returns are guaranteed', 'your returns are not guaranteed')).toBe(false);
    expect(matches('returns are not guaranteed', 'your returns are guaranteed')).toBe(false);
  });

  test('double negation cancels: "I can\'t promise there is no risk" is no claim of "no risk"', () => {
    expect(matches('there is no risk', 'there is no risk at all')).toBe(true);
    expect(matches('there is no risk', "I can't promise there is no risk")).toBe(false);
    expect(matches('you could lose money', "I can't tell you that you won't lose money")).toBe(true);
    expect(matches('you will not lose money', "I can't tell you that you won't lose money")).toBe(false);
  });

  test('negation stops at the clause: "not a deposit, and returns are guaranteed" is still a claim', () => {
    expect(matches('returns are guaranteed', 'it is not a deposit, and returns are guaranteed')).toBe(true);
    expect(
      matches('returns are guaranteed', 'nobody can guarantee returns, there is no guarantee of returns'),
    ).toBe(false);
  });

  test('recognition errors: "principle" for "principal", missing words', () => {
    expect(matches('you may lose some of your principal', 'you may lose some of your principle')).toBe(true);
    expect(matches('you may lose some or all of your principal', 'you may lose all your principal')).toBe(
      true,
    );
  });

  test('numbers as words match a {number} slot', () => {
    expect(matches('{number} days', 'a cooling off period of fifteen days')).toBe(true);
    expect(matches('{number} days', 'a cooling off period of some days')).toBe(false);
  });

  test('fillers inserted anywhere never change the result', () => {
    const phrases = [
      'returns are not guaranteed',
      'returns are guaranteed',
      'you may lose your principal',
      'this is not a deposit',
    ];
    const sayings = [
      'returns are not guaranteed',
      'your returns are guaranteed',
      'you may lose your principal',
      'it is not a deposit',
      'the fee is one percent',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...phrases),
        fc.constantFrom(...sayings),
        fc.array(fc.nat(20), { maxLength: 4 }),
        fc.constantFrom('um', 'uh', 'erm'),
        (phrase, said, at, filler) => {
          const words = said.split(' ');
          for (const i of at) words.splice(i % (words.length + 1), 0, filler);
          expect(matches(phrase, words.join(' '))).toBe(matches(phrase, said));
        },
      ),
    );
  });
});
