// Products a branch sells with expert help, and the customer's risk level.
// A product id IS the id of the compliance rule pack the edge checks the call
// against (rules/<id>/). The built-in packs ship with every edge; more can be
// rolled out to edges (deployments), which makes them products at those edges'
// branches. No zod here: the browser bundle imports these constants as they are.

export const BUILTIN_PRODUCTS = ['wealth-sale', 'insurance-sale'] as const;
export type BuiltinProduct = (typeof BUILTIN_PRODUCTS)[number];
export const isBuiltinProduct = (v: string | undefined): v is BuiltinProduct =>
  (BUILTIN_PRODUCTS as readonly string[]).includes(v ?? '');

/** The rule-pack id format the edge's pack loader accepts. */
export const PRODUCT_ID_PATTERN = /^[a-z][a-z0-9-]*$/;

/**
 * The customer's risk tolerance from their suitability assessment, on the scale
 * of the `risk-assessment-match` check: levels 1–5 (conservative, moderately
 * conservative, balanced, growth, aggressive) ↔ R1–R5.
 */
export const RISK_LEVELS = ['R1', 'R2', 'R3', 'R4', 'R5'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** Skill the dispatcher matches on when a request for a call of this product names none. */
export const PRODUCT_SKILL: Readonly<Record<string, string>> = {
  'wealth-sale': 'wealth',
  'insurance-sale': 'insurance',
};

/**
 * The product of a call. Calls made before `product` existed (stored in Redis,
 * or started by older clients) carried a built-in pack id in their free-text `topic`.
 */
export function productOf(call: {
  product?: string | undefined;
  topic?: string | undefined;
}): string | undefined {
  if (call.product) return call.product;
  return isBuiltinProduct(call.topic) ? call.topic : undefined;
}
