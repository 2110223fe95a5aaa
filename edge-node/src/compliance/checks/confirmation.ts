// `confirmation`: the customer's own answer — "yes, I understand the risks",
// "it's my own decision". Only answers after the `after` checks passed count;
// a hesitant or negative answer beats an affirmative one in the same utterance;
// the last decisive answer wins (a question answered "not really", explained
// again and then "now I understand" passes). A bare "yes" counts right after a
// prompt question of the bank side, a bare "no" only there too.
import type { z } from 'zod';
import type { ConfirmationCheck } from '../pack/schema.ts';
import { PhraseSet } from '../text/phrase-matcher.ts';
import { clock, matchIn, type CallState, type Utterance } from '../engine/call-state.ts';
import {
  outcome,
  quote,
  roleList,
  said,
  span,
  type AlertDraft,
  type CompileContext,
  type Evaluate,
  type Outcome,
} from '../engine/types.ts';

/** A short answer is at most this many content words ("yes, absolutely, of course"). */
const SHORT_ANSWER_WORDS = 6;

export function compileConfirmation(def: z.infer<typeof ConfirmationCheck>, ctx: CompileContext): Evaluate {
  const minScore = def.minScore ?? ctx.minScore;
  const affirm = new PhraseSet(ctx.normalizer, def.affirm, minScore);
  const rejectAll = new PhraseSet(ctx.normalizer, def.reject, minScore);
  const bareReject = rejectAll.phrases.filter((p) => p.bareNegation);
  const reject = new PhraseSet(
    ctx.normalizer,
    def.reject.filter((_, i) => !rejectAll.phrases[i]!.bareNegation),
    minScore,
  );
  const prompt = def.prompt ? new PhraseSet(ctx.normalizer, def.prompt.phrases, minScore) : undefined;
  const shortAnswers = def.prompt
    ? new PhraseSet(ctx.normalizer, def.prompt.shortAnswers, minScore)
    : undefined;
  const promptSpeakers = def.prompt?.speakers ?? ctx.bankRoles;

  /** The bank-side question this utterance answers directly (nothing said by its speaker in between). */
  function promptBefore(state: CallState, u: Utterance): Utterance | undefined {
    if (!prompt) return undefined;
    const i = state.utterances.indexOf(u);
    for (let k = i - 1; k >= 0; k--) {
      const prev = state.utterances[k]!;
      if (def.speakers.includes(prev.role)) return undefined;
      if (promptSpeakers.includes(prev.role)) return matchIn(prompt, prev) ? prev : undefined;
    }
    return undefined;
  }

  return (state, done, final) => {
    const refs = def.after.map((id) => ({ id, o: done.get(id) }));
    const passedRefs = refs.filter((r) => r.o?.status === 'pass' && r.o.passedAtMs !== undefined);
    const missingRefs = refs.filter((r) => !passedRefs.includes(r)).map((r) => r.id);
    const fromMs = Math.max(0, ...passedRefs.map((r) => r.o!.passedAtMs!));
    const refNote =
      def.after.length === 0
        ? ''
        : missingRefs.length
          ? ` (${missingRefs.join(', ')} never passed)`
          : ` after the disclosures (done at ${clock(fromMs)})`;

    let last: { kind: 'affirm' | 'reject'; utt: Utterance; prompt?: Utterance; phrase: string } | undefined;
    const early: Utterance[] = [];
    const alerts: AlertDraft[] = [];
    for (const u of state.utterances) {
      if (!def.speakers.includes(u.role)) continue;
      const q = promptBefore(state, u);
      const words = u.stream.filter((t) => t.kind === 'w').length;
      const rej =
        matchIn(reject, u) ??
        (q &&
        bareReject.length &&
        u.stream[0]?.kind === 'neg' &&
        (u.stream.length === 1 || u.stream[1]!.kind !== 'w')
          ? { phrase: 'no' }
          : undefined);
      const aff =
        matchIn(affirm, u) ??
        (q && shortAnswers && words <= SHORT_ANSWER_WORDS ? matchIn(shortAnswers, u) : undefined);
      if (!rej && !aff) continue;
      if (u.startMs < fromMs) {
        if (aff && !rej) early.push(u);
        continue;
      }
      if (rej) {
        last = { kind: 'reject', utt: u, ...(q ? { prompt: q } : {}), phrase: rej.phrase };
        alerts.push({
          key: `${def.id}:${u.seq}`,
          atMs: u.endMs,
          message: `${def.title}: hesitant or negative answer by the ${u.role} at ${clock(u.startMs)}: "${u.text}"`,
        });
      } else last = { kind: 'affirm', utt: u, ...(q ? { prompt: q } : {}), phrase: aff!.phrase };
    }

    // With none of the disclosures made there is nothing to confirm; with some made, the answer after them counts.
    const nothingDisclosed = def.after.length > 0 && passedRefs.length === 0;
    if (last && !(nothingDisclosed && last.kind === 'affirm')) {
      const evidence = [...(last.prompt ? [said(last.prompt)] : []), said(last.utt)];
      if (last.kind === 'affirm') {
        return outcome('pass', `Confirmed by ${quote(last.utt)}${refNote}.`, evidence, {
          passedAtMs: last.utt.endMs,
          alerts,
        });
      }
      return outcome(
        'fail',
        `The answer was hesitant or negative (matches "${last.phrase}"): ${quote(last.utt)}${refNote}; no clear confirmation followed.`,
        evidence,
        { alerts },
      );
    }
    if (!final) return outcome('pending', `No confirmation by the ${roleList(def.speakers)} yet${refNote}.`);
    if (nothingDisclosed) {
      // Nothing was disclosed to understand: an "I understand" cannot confirm it.
      return outcome(
        'fail',
        `The disclosures to confirm were never made (${missingRefs.join(', ')}), so no confirmation can count.`,
        [
          ...(last ? [] : early.map(said)),
          span(
            0,
            state.lastMs,
            `${missingRefs.join(', ')} never passed between 0:00 and ${clock(state.lastMs)}`,
          ),
        ],
      );
    }
    const earlyNote = early.length
      ? ` A confirmation came before the disclosures (${early.map(quote).join('; ')}), which does not count.`
      : '';
    const result: Outcome = outcome(
      'fail',
      `The ${roleList(def.speakers)} never confirmed${refNote}.${earlyNote}`,
      [
        ...early.map(said),
        span(
          fromMs,
          state.lastMs,
          `no confirmation by ${roleList(def.speakers)} between ${clock(fromMs)} and ${clock(state.lastMs)}`,
        ),
      ],
    );
    return result;
  };
}
