// `risk-match`: the bank side states the customer's risk tolerance and the
// product's risk level; the product may not be riskier. A level mention ("R3",
// "level three", "balanced") belongs to the nearest cue before it in the same
// sentence ("your risk profile…" → customer, "this product is rated…" → product).
// A mention right before a product word ("the Growth Fund") is a name, not a level;
// a negated mention ("not R5") is ignored. Later statements override earlier ones.
import type { z } from 'zod';
import type { RiskMatchCheck } from '../pack/schema.ts';
import { compilePhrase, PhraseSet } from '../text/phrase-matcher.ts';
import type { Tok } from '../text/normalize.ts';
import { clock, type Utterance } from '../engine/call-state.ts';
import { outcome, quote, said, span, type CompileContext, type Evaluate } from '../engine/types.ts';

/** A cue must end at most this many stream tokens before the level it names. */
const CUE_REACH = 8;

interface Mention {
  level: number;
  pos: number;
  end: number;
  name: string;
}

interface Stated {
  level: number;
  name: string;
  utt: Utterance;
}

export function compileRiskMatch(def: z.infer<typeof RiskMatchCheck>, ctx: CompileContext): Evaluate {
  const speakers = def.speakers ?? ctx.bankRoles;
  const minScore = def.minScore ?? ctx.minScore;
  const names = def.levels
    .flatMap((l) =>
      l.names.map((n) => ({ level: l.level, name: n, words: compilePhrase(ctx.normalizer, n).words })),
    )
    .filter((n) => n.words.length > 0)
    .sort((a, b) => b.words.length - a.words.length);
  const customerCues = new PhraseSet(ctx.normalizer, def.customerCues, minScore);
  const productCues = new PhraseSet(ctx.normalizer, def.productCues, minScore);
  const productWords = new Set(productCues.phrases.flatMap((p) => p.words));

  function mentions(stream: Tok[]): Mention[] {
    const wordAt: number[] = [];
    stream.forEach((t, i) => t.kind === 'w' && wordAt.push(i));
    const words = wordAt.map((i) => (stream[i] as { w: string }).w);
    const taken = new Set<number>();
    const out: Mention[] = [];
    for (const n of names) {
      for (let k = 0; k + n.words.length <= words.length; k++) {
        if (n.words.some((w, j) => words[k + j] !== w || taken.has(k + j))) continue;
        const pos = wordAt[k]!;
        const end = wordAt[k + n.words.length - 1]!;
        const next = words[k + n.words.length];
        const negated = stream.slice(Math.max(0, pos - 2), pos).some((t) => t.kind === 'neg');
        n.words.forEach((_, j) => taken.add(k + j));
        if (negated || (next !== undefined && productWords.has(next) && !/\d/.test(n.words.join(''))))
          continue;
        out.push({ level: n.level, pos, end, name: n.name });
      }
    }
    return out.sort((a, b) => a.pos - b.pos);
  }

  function attribute(stream: Tok[], m: Mention): 'customer' | 'product' | undefined {
    const before = (cues: PhraseSet) =>
      cues
        .occurrences(stream)
        .filter(
          (c) =>
            c.last < m.pos &&
            m.pos - c.last <= CUE_REACH &&
            !stream.slice(c.last, m.pos).some((t) => t.kind === 'hard'),
        )
        .map((c) => c.last)
        .reduce((a, b) => Math.max(a, b), -1);
    const c = before(customerCues);
    const p = before(productCues);
    if (c < 0 && p < 0) return undefined;
    return c > p ? 'customer' : 'product';
  }

  return (state, _done, final) => {
    let customer: Stated | undefined;
    let product: Stated | undefined;
    for (const u of state.utterances) {
      if (!speakers.includes(u.role)) continue;
      for (const m of mentions(u.stream)) {
        const who = attribute(u.stream, m);
        if (who === 'customer') customer = { level: m.level, name: m.name, utt: u };
        else if (who === 'product') product = { level: m.level, name: m.name, utt: u };
      }
    }
    const evidence = [
      ...new Set([customer?.utt, product?.utt].filter((u): u is Utterance => u !== undefined)),
    ].map(said);
    if (customer && product) {
      const desc = `customer tolerance level ${customer.level} ("${customer.name}", ${clock(customer.utt.startMs)}), product level ${product.level} ("${product.name}", ${clock(product.utt.startMs)})`;
      if (product.level <= customer.level) {
        return outcome('pass', `Levels match: ${desc}.`, evidence, {
          passedAtMs: Math.max(customer.utt.endMs, product.utt.endMs),
        });
      }
      const atMs = Math.max(customer.utt.endMs, product.utt.endMs);
      return outcome('fail', `The product is riskier than the customer's tolerance: ${desc}.`, evidence, {
        alerts: [
          {
            key: `${def.id}:${customer.level}:${product.level}`,
            atMs,
            message: `Risk mismatch: product level ${product.level} exceeds the customer's tolerance level ${customer.level}`,
          },
        ],
      });
    }
    const missing = [
      customer ? undefined : "the customer's risk tolerance",
      product ? undefined : "the product's risk level",
    ]
      .filter(Boolean)
      .join(' and ');
    const known = customer
      ? ` Customer level ${customer.level} stated by ${quote(customer.utt)}.`
      : product
        ? ` Product level ${product.level} stated by ${quote(product.utt)}.`
        : '';
    if (!final) return outcome('pending', `Not yet stated: ${missing}.${known}`, evidence);
    return outcome('fail', `Not stated by the bank side: ${missing}.${known}`, [
      ...evidence,
      span(0, state.lastMs, `no statement of ${missing} between 0:00 and ${clock(state.lastMs)}`),
    ]);
  };
}
