// No personal data in logs: the redaction helper and the logger that uses it.
import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { createLogger } from './logger.ts';
import { PII_CENSOR, containsPiiShape, redact, redactString } from './redact.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger('redact-test', { level: 'debug' }, stream) };
}

describe('redaction', () => {
  test.each([
    ['call me on +852 9123 4567 please', 'call me on [pii] please'],
    ['mobile 9123 4567', 'mobile [pii]'],
    ['HKID A123456(7) shown', 'HKID [pii] shown'],
    ['passport E12345678', 'passport [pii]'],
    ['mail chan.taiman@example.com', 'mail [pii]'],
    ['card 4111 1111 1111 1111', 'card [pii]'],
    ['account 012345678901', 'account [pii]'],
  ])('%s', (input, output) => {
    expect(redactString(input)).toBe(output);
  });

  test('identifiers, times and counts are left alone', () => {
    for (const s of [
      'call-1c6a7e2b-12345678-9abc',
      '2026-11-26T03:59:11.123Z',
      'seg-00012.webm',
      'port 61002',
      'took 1234 ms',
      'edge-demo',
      'v3.27.1',
      '10.0.0.12:8082',
    ]) {
      expect(redactString(s)).toBe(s);
    }
  });

  test('personal keys are censored at any depth; other values are scanned', () => {
    const out = redact({
      peer: { id: 'cust-1', displayName: 'Chan Tai Man' },
      segments: [{ text: 'my id is A123456(7)', startMs: 3 }],
      note: 'phone 9876 5432',
      n: 42,
    });
    expect(out).toEqual({
      peer: { id: 'cust-1', displayName: PII_CENSOR },
      segments: [{ text: PII_CENSOR, startMs: 3 }],
      note: `phone ${PII_CENSOR}`,
      n: 42,
    });
  });

  test('the logger censors objects, child bindings, messages and errors', () => {
    const { lines, logger } = capture();
    const child = logger.child({ module: 'signaling', displayName: 'Chan Tai Man' });
    child.info(
      { participant: { name: 'Wong Siu Ming' }, transcript: 'I confirm I understand the risks' },
      'customer +852 9123 4567 joined',
    );
    child.error({ err: new Error('lookup failed for chan.taiman@example.com') }, 'failed');
    child.warn(new Error('bad ID A123456(7)'));
    const all = lines.join('');
    for (const secret of [
      'Chan Tai Man',
      'Wong Siu Ming',
      'I confirm',
      '9123 4567',
      'chan.taiman@example.com',
      'A123456',
    ])
      expect(all).not.toContain(secret);
    expect(containsPiiShape(all)).toBe(false);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      name: 'redact-test',
      module: 'signaling',
      displayName: PII_CENSOR,
      participant: { name: PII_CENSOR },
    });
    expect(JSON.parse(lines[1]!).err).toMatchObject({
      type: 'Error',
      message: `lookup failed for ${PII_CENSOR}`,
    });
  });

  test('secrets are still redacted as before', () => {
    const { lines, logger } = capture();
    logger.info({ token: 'abc.def.ghi', auth: { token: 'x' } }, 'login');
    expect(lines[0]).not.toContain('abc.def.ghi');
  });
});
