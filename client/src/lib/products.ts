// Products a manager can sell with expert help; each names the compliance rule
// pack the edge checks the call against (rules/<id>/). The call's `topic` carries it.
export const PRODUCTS = ['wealth-sale', 'insurance-sale'] as const;
export type Product = (typeof PRODUCTS)[number];
export const isProduct = (v: string | undefined): v is Product =>
  (PRODUCTS as readonly string[]).includes(v ?? '');

/** Skills the dispatcher matches on (see the demo experts' skills). */
export const SKILLS = ['wealth', 'insurance', 'mortgage', 'loans'] as const;
export const DEFAULT_SKILL: Record<Product, (typeof SKILLS)[number]> = {
  'wealth-sale': 'wealth',
  'insurance-sale': 'insurance',
};
