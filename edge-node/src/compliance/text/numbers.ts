// Numbers said as words become digits, so "fourteen days", "14 days" and
// "14-day" compare equal: "two point five" → "2.5", "one hundred and twenty" → "120".

const UNITS: Record<string, number> = {
  zero: 0,
  oh: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};
const TENS: Record<string, number> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const SCALES: Record<string, number> = { hundred: 100, thousand: 1000, million: 1_000_000 };

function isNumberWord(w: string): boolean {
  return w in UNITS || w in TENS || w in SCALES;
}

/**
 * Replaces runs of number words in a token list by one digit token. `oh` only
 * counts after another number word; a lone `a` before a scale word counts as 1.
 */
export function wordsToDigits(tokens: string[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < tokens.length) {
    const w = tokens[i]!;
    const startsNumber =
      (isNumberWord(w) && w !== 'oh' && !(w in SCALES)) ||
      (w === 'a' && tokens[i + 1] !== undefined && tokens[i + 1]! in SCALES);
    if (!startsNumber) {
      out.push(w);
      i += 1;
      continue;
    }
    let total = 0;
    let current = 0;
    let j = i;
    for (; j < tokens.length; j++) {
      const t = tokens[j]!;
      if (t === 'a' && j === i) current = 1;
      else if (t in UNITS && t !== 'oh') current += UNITS[t]!;
      else if (t in TENS) current += TENS[t]!;
      else if (t in SCALES) {
        const scale = SCALES[t]!;
        if (scale === 100) current = (current || 1) * 100;
        else {
          total += (current || 1) * scale;
          current = 0;
        }
      } else if (
        t === 'and' &&
        j > i &&
        tokens[j + 1] !== undefined &&
        isNumberWord(tokens[j + 1]!) &&
        /hundred|thousand/.test(tokens[j - 1]!)
      )
        continue;
      else break;
    }
    let value = String(total + current);
    // "two point five" → 2.5 (digits after "point" are read one by one)
    if (tokens[j] === 'point' && tokens[j + 1] !== undefined && tokens[j + 1]! in UNITS) {
      let decimals = '';
      j += 1;
      while (j < tokens.length && tokens[j]! in UNITS && UNITS[tokens[j]!]! < 10) {
        decimals += String(UNITS[tokens[j]!]);
        j += 1;
      }
      value = `${value}.${decimals}`;
    }
    out.push(value);
    i = j;
  }
  return out;
}
