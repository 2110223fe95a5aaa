// Token-level fuzzy equality that tolerates recognition errors ("principle" for
// "principal", "guarantied"), strict for short words where one edit changes meaning.

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/** Edits allowed for a word of this length: none up to 3 letters, 1 up to 5, then 2. */
export function allowedEdits(length: number): number {
  if (length <= 3) return 0;
  if (length <= 5) return 1;
  return 2;
}

/**
 * Similarity of two normalised tokens in 0…1: 1 when equal, 1 − edits/length when
 * within the allowed edits, else 0. Digits and canonical synonym tokens (`~x`) must be equal.
 */
export function tokenSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a.startsWith('~') || b.startsWith('~') || /\d/.test(a) || /\d/.test(b)) return 0;
  const longest = Math.max(a.length, b.length);
  const limit = allowedEdits(Math.min(a.length, b.length));
  if (limit === 0 || Math.abs(a.length - b.length) > limit) return 0;
  const d = levenshtein(a, b);
  return d <= limit ? 1 - d / longest : 0;
}

/**
 * Fewest edits to turn `needle` into some substring of `haystack` (Sellers'
 * semi-global edit distance). For OCR text, where words run together
 * ("RiskDisclosure Statement", "arenotguaranteed") and letters get misread.
 */
export function substringDistance(haystack: string, needle: string): number {
  if (needle.length === 0) return 0;
  let prev = new Array<number>(haystack.length + 1).fill(0);
  let cur = new Array<number>(haystack.length + 1).fill(0);
  for (let i = 1; i <= needle.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= haystack.length; j++) {
      const cost = needle.charCodeAt(i - 1) === haystack.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return Math.min(...prev);
}

/** Letters and digits only, lower case: "Risk Disclosure-Statement" → "riskdisclosurestatement". */
export function compact(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}
