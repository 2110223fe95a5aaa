// Retention rules: how long a call's recording is kept, per product. A rule is
// a period after the call ended, and/or a period after the product the call
// sold ends (e.g. an insurance policy: its end + 6 months). When both apply the
// later date wins; a product-end rule with no known end date keeps the call.
// Pure: the sweeper asks `retainUntil`, a legal hold overrides everything.
import { z } from 'zod';

const Period = z
  .object({
    years: z.number().int().nonnegative().optional(),
    months: z.number().int().nonnegative().optional(),
    days: z.number().nonnegative().optional(),
  })
  .strict();
export type Period = z.infer<typeof Period>;

const Rule = z
  .object({
    years: z.number().int().nonnegative().optional(),
    months: z.number().int().nonnegative().optional(),
    days: z.number().nonnegative().optional(),
    /** Also keep until the product's end plus this period. */
    afterProductEnd: Period.optional(),
  })
  .strict();
export type RetentionRule = z.infer<typeof Rule>;

export const RetentionRules = z.object({
  default: Rule,
  products: z.record(z.string(), Rule).default({}),
});
export type RetentionRules = z.infer<typeof RetentionRules>;

export interface RetentionSubject {
  /** Epoch ms the call ended (sealed). */
  endedAt: number;
  product?: string;
  /** Epoch ms the product ends, when known. */
  productEndsAt?: number;
}

export function addPeriod(at: number, p: Period): number {
  const d = new Date(at);
  d.setUTCFullYear(d.getUTCFullYear() + (p.years ?? 0), d.getUTCMonth() + (p.months ?? 0));
  return d.getTime() + (p.days ?? 0) * 86_400_000;
}

function hasCallPeriod(r: RetentionRule): boolean {
  return r.years !== undefined || r.months !== undefined || r.days !== undefined;
}

/** Epoch ms until which the call must be kept; `Infinity` when it cannot be known yet. */
export function retainUntil(rules: RetentionRules, s: RetentionSubject): number {
  const rule = (s.product && rules.products[s.product]) || rules.default;
  let until = hasCallPeriod(rule) ? addPeriod(s.endedAt, rule) : s.endedAt;
  if (rule.afterProductEnd) {
    if (s.productEndsAt === undefined) return Number.POSITIVE_INFINITY;
    until = Math.max(until, addPeriod(s.productEndsAt, rule.afterProductEnd));
  }
  return until;
}

export function isExpired(rules: RetentionRules, s: RetentionSubject, now: number, onHold: boolean): boolean {
  return !onHold && now >= retainUntil(rules, s);
}
