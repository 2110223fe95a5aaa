// The words a pack listens for, as recognition hints (a Whisper prompt, a
// sphinx domain vocabulary): every phrase, synonym and level name.
import type { RulePack } from './schema.ts';

export function packHints(pack: RulePack): string[] {
  const out = new Set<string>();
  const add = (xs: string[]) => xs.forEach((x) => out.add(x));
  for (const [key, variants] of Object.entries(pack.synonyms)) add([key.replace(/-/g, ' '), ...variants]);
  for (const c of pack.checks) {
    switch (c.kind) {
      case 'statement':
        c.require.forEach((g) => add(g.phrases));
        break;
      case 'prohibited':
        add(c.phrases);
        break;
      case 'exchange':
        add([...c.ask.phrases, ...c.answer.phrases]);
        break;
      case 'confirmation':
        add([...c.affirm, ...c.reject, ...(c.prompt ? [...c.prompt.phrases, ...c.prompt.shortAnswers] : [])]);
        break;
      case 'risk-match':
        add([...c.customerCues, ...c.productCues, ...c.levels.flatMap((l) => l.names)]);
        break;
      case 'order':
        add(c.decision.phrases);
        break;
      case 'document-visible':
      case 'faces-present':
        break;
    }
  }
  return [...out];
}
