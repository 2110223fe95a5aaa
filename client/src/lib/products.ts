// Products and risk levels as people read them. The ids come from the protocol
// (a product is the rule pack the edge checks the call against); only the
// built-in products have translated names — a pack rolled out later shows its id.
import type { Call } from '#protocol/api';
import { isBuiltinProduct, type RiskLevel } from '#protocol/products';
import type { Translate } from '../i18n/I18n.tsx';

export { BUILTIN_PRODUCTS as PRODUCTS, PRODUCT_SKILL, RISK_LEVELS, productOf } from '#protocol/products';
export type { BuiltinProduct as Product, RiskLevel } from '#protocol/products';

/** Skills the dispatcher matches on (see the demo experts' skills). */
export const SKILLS = ['wealth', 'insurance', 'mortgage', 'loans'] as const;
type Skill = (typeof SKILLS)[number];

/** A skill's translated name; skills outside SKILLS show as they are. */
export function skillName(t: Translate, skill: string): string {
  return (SKILLS as readonly string[]).includes(skill) ? t(`skill.${skill as Skill}`) : skill;
}

export function productName(t: Translate, product: string | undefined): string {
  if (!product) return '—';
  return isBuiltinProduct(product) ? t(`product.${product}`) : product;
}

/** A call in a list: its product, else its free-text topic, else its id. */
export function callLabel(t: Translate, call: Pick<Call, 'id' | 'product' | 'topic'>): string {
  return call.product ? productName(t, call.product) : (call.topic ?? call.id);
}

/** "R4 · Growth": the code the bank's forms use, and what it means. */
export function riskName(t: Translate, level: RiskLevel | undefined): string {
  return level ? `${level} · ${t(`risk.${level}`)}` : t('risk.unknown');
}
