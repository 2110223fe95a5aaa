// Personal data never reaches a log line or a metric label: names, ID and
// passport numbers, phone numbers, e-mail addresses, card/account numbers and
// anything said in a call (transcript text). `redact()` is applied by every
// logger (common/src/logger.ts) to the logged object, the message and errors;
// use it directly before putting free text anywhere else (metrics, events).
//
// Two layers: keys whose values are personal by nature are replaced whatever
// they hold; every other string is scanned for the shapes of personal data.

export const PII_CENSOR = '[pii]';

/** Keys whose values are personal data, as they are usually spelled. */
export const PII_KEY_NAMES: readonly string[] = [
  'name',
  'displayName',
  'fullName',
  'firstName',
  'lastName',
  'customerName',
  'participantName',
  'userName',
  'phone',
  'phoneNumber',
  'mobile',
  'email',
  'idNumber',
  'nationalId',
  'hkid',
  'passport',
  'passportNumber',
  'dateOfBirth',
  'dob',
  'address',
  'accountNumber',
  'cardNumber',
  'iban',
  // what was said or shown: transcript and OCR text, evidence quotes
  'text',
  'transcript',
  'utterance',
  'words',
  'ocrText',
  'quote',
];

/** The same keys, matched case-insensitively wherever they appear. */
export const PII_KEYS = new Set(PII_KEY_NAMES.map((k) => k.toLowerCase()));

const PATTERNS: RegExp[] = [
  // e-mail addresses
  /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g,
  // Hong Kong identity card numbers: A123456(7), AB9876543
  /\b[A-Z]{1,2}\d{6}\s?\(?[0-9A]\)?(?![\w])/g,
  // passports and similar letter + 8 digits
  /\b[A-Z]\d{8}\b/g,
  // international phone numbers: +852 9123 4567, +1 (415) 555-0100
  /\+\d{1,3}[\s-]?(?:\(\d{1,4}\)[\s-]?)?\d{2,4}(?:[\s-]?\d{2,4}){1,3}\b/g,
  // long standalone digit runs (phones, IDs, card and account numbers); not inside ids like call-1234abcd
  /(?<![\w.:-])\d(?:[\s-]?\d){7,}(?![\w.:-])/g,
];

/** Replaces every shape of personal data in a string. */
export function redactString(s: string): string {
  let out = s;
  for (const p of PATTERNS) out = out.replace(p, PII_CENSOR);
  return out;
}

function isErrorLike(o: Record<string, unknown>): boolean {
  return typeof o.message === 'string' && ('stack' in o || 'type' in o);
}

/**
 * A copy of `value` with personal data replaced. Errors (and error-like objects)
 * keep their `name`; strings are scanned; depth and cycles are bounded.
 */
export function redact<T>(value: T, depth = 0, seen: WeakSet<object> = new WeakSet()): T {
  if (typeof value === 'string') return redactString(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return value; // the logger's error serializer redacts message and stack
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return value;
  if (seen.has(value) || depth > 8) return '[…]' as T;
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen)) as T;
  const obj = value as Record<string, unknown>;
  const errorLike = isErrorLike(obj);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = k.toLowerCase();
    if (PII_KEYS.has(key) && v !== undefined && v !== null && !(errorLike && key === 'name'))
      out[k] = PII_CENSOR;
    else out[k] = redact(v, depth + 1, seen);
  }
  return out as T;
}

/** True when `s` still contains one of the personal-data shapes (for tests and audits of output). */
export function containsPiiShape(s: string): boolean {
  return PATTERNS.some((p) => new RegExp(p.source, p.flags.replace('g', '')).test(s));
}
