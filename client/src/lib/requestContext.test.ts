import { expect, test } from 'vitest';
import { formatNote, parseNote } from './requestContext.ts';

test('request context round-trips through the dispatch note', () => {
  const note = formatNote({
    product: 'wealth-sale',
    risk: 'R4',
    text: 'Customer asks about early redemption',
  });
  expect(note).toBe('[wealth-sale|R4] Customer asks about early redemption');
  expect(parseNote(note)).toEqual({
    product: 'wealth-sale',
    risk: 'R4',
    text: 'Customer asks about early redemption',
  });
  expect(parseNote('plain note')).toEqual({ text: 'plain note' });
  expect(parseNote(undefined)).toEqual({ text: '' });
  expect(parseNote(formatNote({ product: 'a|b]', text: 'x' }))).toEqual({ product: 'a b', text: 'x' });
});
