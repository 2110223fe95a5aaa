import { describe, expect, test } from 'vitest';
import {
  isExpired,
  retainUntil,
  RetentionRules,
} from '../../../edge-node/src/archive/retention/RetentionPolicy.ts';

const rules = RetentionRules.parse({
  default: { years: 7 },
  products: {
    insurance: { years: 1, afterProductEnd: { months: 6 } },
    fund: { years: 5 },
    trial: { days: 30 },
  },
});
const t = (iso: string) => Date.parse(iso);

describe('retention rules', () => {
  test('the default keeps a call N years after it ended', () => {
    expect(retainUntil(rules, { endedAt: t('2024-02-29T10:00:00Z') })).toBe(t('2031-03-01T10:00:00Z'));
    expect(retainUntil(rules, { endedAt: t('2024-01-10T10:00:00Z'), product: 'unknown' })).toBe(
      t('2031-01-10T10:00:00Z'),
    );
  });

  test('a product rule applies to its calls', () => {
    expect(retainUntil(rules, { endedAt: t('2024-01-10T10:00:00Z'), product: 'fund' })).toBe(
      t('2029-01-10T10:00:00Z'),
    );
    expect(retainUntil(rules, { endedAt: t('2024-01-10T10:00:00Z'), product: 'trial' })).toBe(
      t('2024-02-09T10:00:00Z'),
    );
  });

  test('product end + 6 months wins when later, and an unknown product end keeps the call', () => {
    const endedAt = t('2024-01-10T00:00:00Z');
    expect(
      retainUntil(rules, { endedAt, product: 'insurance', productEndsAt: t('2030-06-30T00:00:00Z') }),
    ).toBe(t('2030-12-30T00:00:00Z'));
    expect(
      retainUntil(rules, { endedAt, product: 'insurance', productEndsAt: t('2024-02-01T00:00:00Z') }),
    ).toBe(t('2025-01-10T00:00:00Z'));
    expect(retainUntil(rules, { endedAt, product: 'insurance' })).toBe(Number.POSITIVE_INFINITY);
  });

  test('a legal hold keeps anything', () => {
    const s = { endedAt: t('2000-01-01T00:00:00Z') };
    expect(isExpired(rules, s, Date.now(), false)).toBe(true);
    expect(isExpired(rules, s, Date.now(), true)).toBe(false);
  });

  test('malformed rules are refused', () => {
    expect(RetentionRules.safeParse({ default: { yeers: 7 } }).success).toBe(false);
  });
});
