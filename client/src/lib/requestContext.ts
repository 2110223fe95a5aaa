// The context an expert sees with a request (product, customer's risk level)
// travels in the dispatch request's free-text `note` as a bracketed prefix,
// `[wealth-sale|R3] free text`, because DispatchRequestInput has no field for it
// yet. Anything else in a note is shown as it is.
export interface RequestContext {
  product?: string;
  risk?: string;
  text: string;
}

export const RISK_LEVELS = ['R1', 'R2', 'R3', 'R4', 'R5'] as const;

export function formatNote(ctx: RequestContext): string {
  const clean = (s: string) => s.replace(/[[\]|]/g, ' ').trim();
  const head = ctx.product || ctx.risk ? `[${clean(ctx.product ?? '')}|${clean(ctx.risk ?? '')}] ` : '';
  return `${head}${ctx.text}`.trim().slice(0, 500);
}

export function parseNote(note: string | undefined): RequestContext {
  const m = /^\[([^|\]]*)\|([^\]]*)\]\s*([\s\S]*)$/.exec(note ?? '');
  if (!m) return { text: note ?? '' };
  return { ...(m[1] ? { product: m[1] } : {}), ...(m[2] ? { risk: m[2] } : {}), text: m[3] ?? '' };
}
