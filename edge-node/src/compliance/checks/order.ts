// `order`: the listed disclosures passed before the customer's first purchase
// decision. Decided as soon as the decision is heard (a disclosure made after it
// cannot repair the order); `not-applicable` when no decision is heard at all.
import type { z } from 'zod';
import type { OrderCheck } from '../pack/schema.ts';
import { PhraseSet } from '../text/phrase-matcher.ts';
import { clock, matchIn } from '../engine/call-state.ts';
import { outcome, quote, said, type CompileContext, type Evaluate } from '../engine/types.ts';

export function compileOrder(def: z.infer<typeof OrderCheck>, ctx: CompileContext): Evaluate {
  const decision = new PhraseSet(ctx.normalizer, def.decision.phrases, def.minScore ?? ctx.minScore);
  return (state, done, final) => {
    const d = state.utterances.find((u) => def.decision.speakers.includes(u.role) && matchIn(decision, u));
    if (!d) {
      if (!final) return outcome('pending', 'No purchase decision heard yet.');
      return outcome('not-applicable', 'No purchase decision was heard in the call.');
    }
    const late: string[] = [];
    const evidence = [said(d)];
    const add = (e: (typeof evidence)[number] | undefined) => {
      if (e && !evidence.some((x) => x.startMs === e.startMs && x.role === e.role)) evidence.push(e);
    };
    for (const id of def.disclosures) {
      const o = done.get(id);
      const first = o?.status === 'pass' ? o.evidence[0] : undefined;
      if (o?.status === 'pass' && o.passedAtMs !== undefined && o.passedAtMs <= d.startMs) {
        add(first);
        continue;
      }
      if (o?.status === 'pass' && o.passedAtMs !== undefined) {
        late.push(`${id} (only at ${clock(o.passedAtMs)})`);
        add(first);
      } else late.push(`${id} (never)`);
    }
    if (late.length === 0)
      return outcome(
        'pass',
        `${def.disclosures.join(' and ')} were given before the decision by ${quote(d)}.`,
        evidence,
        { passedAtMs: d.startMs },
      );
    return outcome('fail', `The customer decided (${quote(d)}) before: ${late.join(', ')}.`, evidence, {
      alerts: [
        {
          key: `${def.id}:decision`,
          atMs: d.endMs,
          message: `Purchase decision at ${clock(d.startMs)} before the disclosures: ${late.join(', ')}`,
        },
      ],
    });
  };
}
