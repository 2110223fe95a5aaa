// Check kinds about who said what: `statement` (every group said by the right
// side), `prohibited` (a claim nobody on that side may make) and `exchange`
// (a question by one side answered by the other).
import type { ExchangeCheck, ProhibitedCheck, StatementCheck } from '../pack/schema.ts';
import { PhraseSet } from '../text/phrase-matcher.ts';
import { clock, matchIn, type Utterance } from '../engine/call-state.ts';
import { outcome, quote, roleList, said, span, type CompileContext, type Evaluate } from '../engine/types.ts';
import type { z } from 'zod';

export function compileStatement(def: z.infer<typeof StatementCheck>, ctx: CompileContext): Evaluate {
  const speakers = def.speakers ?? ctx.bankRoles;
  const groups = def.require.map((g) => ({
    name: g.name,
    set: new PhraseSet(ctx.normalizer, g.phrases, def.minScore ?? ctx.minScore),
  }));
  return (state, _done, final) => {
    const found: { name: string; utt: Utterance }[] = [];
    const missing: string[] = [];
    const wrongSpeaker: Utterance[] = [];
    for (const g of groups) {
      const hit = state.utterances.find((u) => speakers.includes(u.role) && matchIn(g.set, u));
      if (hit) found.push({ name: g.name, utt: hit });
      else {
        missing.push(g.name);
        const other = state.utterances.find((u) => !speakers.includes(u.role) && matchIn(g.set, u));
        if (other) wrongSpeaker.push(other);
      }
    }
    const evidence = [...new Set(found.map((f) => f.utt))].map(said);
    if (missing.length === 0) {
      const passedAtMs = Math.max(...found.map((f) => f.utt.endMs));
      const who = [...new Set(found.map((f) => `${f.utt.role} at ${clock(f.utt.startMs)}`))].join(', ');
      return outcome(
        'pass',
        `${def.require.length > 1 ? found.map((f) => f.name).join(', ') : def.title} stated by ${who}.`,
        evidence,
        { passedAtMs },
      );
    }
    const note = wrongSpeaker.length
      ? ` It was said only by ${wrongSpeaker.map(quote).join('; ')}, which does not count.`
      : '';
    if (!final)
      return outcome(
        'pending',
        `Not yet said by ${roleList(speakers)}: ${missing.join(', ')}.${note}`,
        evidence,
      );
    const gap = span(
      0,
      state.lastMs,
      `no ${missing.join(', ')} by ${roleList(speakers)} between 0:00 and ${clock(state.lastMs)}`,
    );
    return outcome('fail', `Missing: ${missing.join(', ')} — not said by ${roleList(speakers)}.${note}`, [
      ...evidence,
      ...wrongSpeaker.map(said),
      gap,
    ]);
  };
}

export function compileProhibited(def: z.infer<typeof ProhibitedCheck>, ctx: CompileContext): Evaluate {
  const speakers = def.speakers ?? ctx.bankRoles;
  const set = new PhraseSet(ctx.normalizer, def.phrases, def.minScore ?? ctx.minScore);
  return (state, _done, final) => {
    const claims = state.utterances.filter((u) => speakers.includes(u.role) && matchIn(set, u));
    if (claims.length > 0) {
      const alerts = claims.map((u) => ({
        key: `${def.id}:${u.seq}`,
        atMs: u.endMs,
        message: `Misleading claim by the ${u.role} at ${clock(u.startMs)}: "${u.text}" (matches "${matchIn(set, u)!.phrase}")`,
      }));
      const first = claims[0]!;
      return outcome(
        'fail',
        `${claims.length} misleading claim(s), first by ${quote(first)} — matches "${matchIn(set, first)!.phrase}".`,
        claims.map(said),
        { alerts },
      );
    }
    const checked = state.utterances.filter((u) => speakers.includes(u.role)).length;
    if (!final)
      return outcome(
        'pending',
        `No misleading claim so far (${checked} utterances by ${roleList(speakers)}).`,
      );
    return outcome(
      'pass',
      `None of ${checked} utterances by ${roleList(speakers)} makes a prohibited claim.`,
      [span(0, state.lastMs, `${checked} utterances by ${roleList(speakers)} checked, no prohibited claim`)],
    );
  };
}

export function compileExchange(def: z.infer<typeof ExchangeCheck>, ctx: CompileContext): Evaluate {
  const minScore = def.minScore ?? ctx.minScore;
  const ask = new PhraseSet(ctx.normalizer, def.ask.phrases, minScore);
  const answer = new PhraseSet(ctx.normalizer, def.answer.phrases, minScore);
  return (state, _done, final) => {
    const asks = state.utterances.filter((u) => def.ask.speakers.includes(u.role) && matchIn(ask, u));
    for (const q of asks) {
      const reply = state.utterances.find(
        (u) =>
          def.answer.speakers.includes(u.role) &&
          u.startMs >= q.startMs &&
          u.startMs <= q.endMs + def.withinMs &&
          matchIn(answer, u),
      );
      if (reply)
        return outcome(
          'pass',
          `Asked by the ${q.role} at ${clock(q.startMs)}, answered by the ${reply.role} at ${clock(reply.startMs)}.`,
          [said(q), said(reply)],
          { passedAtMs: reply.endMs },
        );
    }
    if (!final)
      return outcome(
        'pending',
        asks.length ? `Asked at ${clock(asks[0]!.startMs)}, no answer yet.` : 'Not asked yet.',
        asks.map(said),
      );
    if (asks.length === 0) {
      return outcome('fail', `The ${roleList(def.ask.speakers)} never asked for or confirmed it.`, [
        span(
          0,
          state.lastMs,
          `no request by ${roleList(def.ask.speakers)} between 0:00 and ${clock(state.lastMs)}`,
        ),
      ]);
    }
    const q = asks[0]!;
    return outcome(
      'fail',
      `Asked by ${quote(q)}, but the ${roleList(def.answer.speakers)} did not answer within ${Math.round(def.withinMs / 1000)} s.`,
      [
        ...asks.map(said),
        span(
          q.startMs,
          Math.min(state.lastMs, q.endMs + def.withinMs),
          `no answer by ${roleList(def.answer.speakers)}`,
        ),
      ],
    );
  };
}
