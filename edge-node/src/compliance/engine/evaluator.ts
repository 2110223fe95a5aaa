// A pack compiled for evaluation: one closure per check, run in an order where
// every check comes after the checks it refers to (order / confirmation).
import type { CheckDef, RulePack } from '../pack/schema.ts';
import { Normalizer } from '../text/normalize.ts';
import { compileConfirmation } from '../checks/confirmation.ts';
import { compileDocumentVisible, compileFacesPresent } from '../checks/frame-checks.ts';
import { compileOrder } from '../checks/order.ts';
import { compileRiskMatch } from '../checks/risk-match.ts';
import { compileExchange, compileProhibited, compileStatement } from '../checks/speech-checks.ts';
import type { CallState } from './call-state.ts';
import type { CompileContext, Evaluate, Outcome } from './types.ts';

function compileCheck(def: CheckDef, ctx: CompileContext): Evaluate {
  switch (def.kind) {
    case 'statement':
      return compileStatement(def, ctx);
    case 'prohibited':
      return compileProhibited(def, ctx);
    case 'exchange':
      return compileExchange(def, ctx);
    case 'confirmation':
      return compileConfirmation(def, ctx);
    case 'risk-match':
      return compileRiskMatch(def, ctx);
    case 'order':
      return compileOrder(def, ctx);
    case 'document-visible':
      return compileDocumentVisible(def, ctx);
    case 'faces-present':
      return compileFacesPresent(def);
  }
}

function dependencies(def: CheckDef): string[] {
  if (def.kind === 'order') return def.disclosures;
  if (def.kind === 'confirmation') return def.after;
  return [];
}

export class PackEvaluator {
  readonly normalizer: Normalizer;
  readonly #steps: { def: CheckDef; evaluate: Evaluate }[] = [];

  constructor(readonly pack: RulePack) {
    this.normalizer = new Normalizer(pack.synonyms);
    const ctx: CompileContext = {
      normalizer: this.normalizer,
      bankRoles: pack.bankRoles,
      minScore: pack.minScore,
    };
    // Topological order (the loader rejects unknown references; cycles are rejected here).
    const byId = new Map(pack.checks.map((c) => [c.id, c]));
    const placed = new Set<string>();
    const visiting = new Set<string>();
    const place = (def: CheckDef): void => {
      if (placed.has(def.id)) return;
      if (visiting.has(def.id))
        throw new Error(
          `rule pack ${pack.id}: checks refer to each other in a cycle (${[...visiting, def.id].join(' → ')})`,
        );
      visiting.add(def.id);
      for (const dep of dependencies(def)) place(byId.get(dep)!);
      visiting.delete(def.id);
      placed.add(def.id);
      this.#steps.push({ def, evaluate: compileCheck(def, ctx) });
    };
    pack.checks.forEach(place);
  }

  /** Outcomes by check id, in the pack's order. */
  evaluate(state: CallState, final: boolean): Map<string, Outcome> {
    const done = new Map<string, Outcome>();
    for (const step of this.#steps) done.set(step.def.id, step.evaluate(state, done, final));
    return new Map(this.pack.checks.map((c) => [c.id, done.get(c.id)!]));
  }
}
