// Rule-pack file format (YAML or JSON). A pack is data: the engine knows a few
// check kinds, the pack says who must say what for each check. See docs/compliance.md.
import { z } from 'zod';
import { Severity } from '#protocol/events';
import { CallRole } from '#protocol/roles';

const CheckId = z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case kebab id');
const Phrases = z.array(z.string().min(1)).min(1);
const Roles = z.array(CallRole).min(1);
/** Share of a phrase's content words that must be found (fuzzily) in one utterance. */
const MinScore = z.number().min(0.3).max(1);

const Common = {
  id: CheckId,
  title: z.string().min(1),
  severity: Severity,
  description: z.string().optional(),
  minScore: MinScore.optional(),
};

/** Every group must be said by one of `speakers` (any phrase of a group will do). */
export const StatementCheck = z.strictObject({
  ...Common,
  kind: z.literal('statement'),
  speakers: Roles.optional(),
  require: z.array(z.strictObject({ name: z.string().min(1), phrases: Phrases })).min(1),
});

/** Fails as soon as one of `speakers` says one of the phrases (negation-aware). */
export const ProhibitedCheck = z.strictObject({
  ...Common,
  kind: z.literal('prohibited'),
  speakers: Roles.optional(),
  phrases: Phrases,
});

const SaidBy = z.strictObject({ speakers: Roles, phrases: Phrases });

/** `ask` by one side, then `answer` by the other within `withinMs`. */
export const ExchangeCheck = z.strictObject({
  ...Common,
  kind: z.literal('exchange'),
  ask: SaidBy,
  answer: SaidBy,
  withinMs: z.number().int().positive().default(60_000),
});

/**
 * A (customer) answer: the last decisive utterance after the `after` checks
 * passed decides — `reject` (hesitant/negative) beats `affirm` in one utterance.
 * A short answer (`prompt.shortAnswers`) counts right after a `prompt` question.
 */
export const ConfirmationCheck = z.strictObject({
  ...Common,
  kind: z.literal('confirmation'),
  speakers: Roles,
  affirm: Phrases,
  reject: Phrases,
  prompt: z.strictObject({ speakers: Roles.optional(), phrases: Phrases, shortAnswers: Phrases }).optional(),
  after: z.array(CheckId).default([]),
});

/** The customer's tolerance level and the product's level, both said by the bank side; product ≤ customer. */
export const RiskMatchCheck = z.strictObject({
  ...Common,
  kind: z.literal('risk-match'),
  speakers: Roles.optional(),
  levels: z.array(z.strictObject({ level: z.number().int().min(1).max(9), names: Phrases })).min(2),
  customerCues: Phrases,
  productCues: Phrases,
});

/** The `disclosures` checks must have passed before the first `decision` utterance. */
export const OrderCheck = z.strictObject({
  ...Common,
  kind: z.literal('order'),
  disclosures: z.array(CheckId).min(1),
  decision: SaidBy,
});

/** A frame whose OCR text contains one of the titles. */
export const DocumentVisibleCheck = z.strictObject({
  ...Common,
  kind: z.literal('document-visible'),
  titles: Phrases,
});

/** In at least `minFraction` of sampled instants, a face for each role is visible. */
export const FacesPresentCheck = z.strictObject({
  ...Common,
  kind: z.literal('faces-present'),
  roles: Roles,
  minFraction: z.number().min(0).max(1).default(0.9),
});

export const CheckDef = z.discriminatedUnion('kind', [
  StatementCheck,
  ProhibitedCheck,
  ExchangeCheck,
  ConfirmationCheck,
  RiskMatchCheck,
  OrderCheck,
  DocumentVisibleCheck,
  FacesPresentCheck,
]);
export type CheckDef = z.infer<typeof CheckDef>;
export type CheckKind = CheckDef['kind'];

const Semver = z.string().regex(/^\d+\.\d+\.\d+$/, 'semantic version like 1.0.0');

export const RulePackFile = z.strictObject({
  id: CheckId,
  version: Semver,
  title: z.string().min(1),
  description: z.string().optional(),
  /** `id@version` of a pack whose checks this one starts from. */
  extends: z
    .string()
    .regex(/^[a-z][a-z0-9-]*@\d+\.\d+\.\d+$/, 'pack reference like wealth-sale@1.0.0')
    .optional(),
  /** Check ids of the base pack to drop. */
  remove: z.array(CheckId).optional(),
  /** Roles whose words count as the bank's (default speakers of statements, claims, risk levels). */
  bankRoles: Roles.optional(),
  /** Canonical word → variants (words or short phrases) that mean the same for matching. */
  synonyms: z.record(z.string().regex(/^[a-z0-9-]+$/, 'lower-case word'), Phrases).optional(),
  /** Default share of a phrase's words that must match (0.3…1). */
  minScore: MinScore.optional(),
  checks: z.array(CheckDef).default([]),
});
export type RulePackFile = z.infer<typeof RulePackFile>;

/** A loaded pack: `extends` resolved, references checked, defaults filled. */
export interface RulePack {
  id: string;
  version: string;
  title: string;
  description?: string;
  bankRoles: CallRole[];
  synonyms: Record<string, string[]>;
  minScore: number;
  checks: CheckDef[];
  /** File it came from (and its bases), for messages. */
  source: string;
}
