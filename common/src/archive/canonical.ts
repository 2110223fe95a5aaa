// Canonical JSON (keys sorted at every level, no whitespace): the bytes that
// are hashed and signed, so the same entry always hashes the same wherever it
// is re-serialised.
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new Error('non-finite number in manifest');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export const ZERO_HASH = '0'.repeat(64);

/** The hash of a manifest entry: SHA-256 of its canonical JSON without `hash`. */
export function entryHash(entry: Record<string, unknown>): string {
  const { hash: _hash, ...rest } = entry;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** The bytes a manifest head's signature covers. */
export function headSigningBytes(head: {
  callId: string;
  edgeId: string;
  seq: number;
  hash: string;
  signedAt: number;
}): Buffer {
  const { callId, edgeId, seq, hash, signedAt } = head;
  return Buffer.from(canonicalJson({ callId, edgeId, seq, hash, signedAt }));
}
