// The durable outbox (real SQLite on disk): idempotent enqueue, order, parts,
// back-off bookkeeping, and nothing lost across a reopen (an edge restart).
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { OUTBOX_PART_BYTES } from '#protocol/archive';
import { Outbox } from '../../../edge-node/src/archive/outbox/Outbox.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'outbox-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('outbox', () => {
  test('the same item queued twice is stored once; items come out oldest first', () => {
    const box = Outbox.open(path.join(dir, 'a.sqlite'));
    expect(box.enqueue({ id: 'c1:report:5', kind: 'report', callId: 'c1', body: Buffer.from('{}') })).toBe(
      true,
    );
    expect(
      box.enqueue({ id: 'c1:report:5', kind: 'report', callId: 'c1', body: Buffer.from('{"other":1}') }),
    ).toBe(false);
    box.enqueue({ id: 'c1:head:6', kind: 'manifest-head', callId: 'c1', body: Buffer.from('{}') });
    box.enqueue({ id: 'c1:datakey', kind: 'datakey', callId: 'c1', dynamic: true });
    expect(box.due().map((r) => r.id)).toEqual(['c1:report:5', 'c1:head:6', 'c1:datakey']);
    expect(box.get('c1:report:5')!.body!.toString()).toBe('{}');
    box.close();
  });

  test('pending items, their acknowledged parts and their back-off survive a reopen', () => {
    const file = path.join(dir, 'b.sqlite');
    const blob = path.join(dir, 'big.bin');
    writeFileSync(blob, Buffer.alloc(OUTBOX_PART_BYTES * 2 + 10, 7));
    const sha = createHash('sha256')
      .update(Buffer.alloc(OUTBOX_PART_BYTES * 2 + 10, 7))
      .digest('hex');
    let box = Outbox.open(file);
    box.enqueue({ id: 'c2:segment:x', kind: 'segment', callId: 'c2', file: blob }, sha);
    box.enqueue({ id: 'c2:alert:1', kind: 'alert', callId: 'c2', body: Buffer.from('{}') });
    box.partDelivered('c2:segment:x', 2);
    box.failed('c2:alert:1', 'cloud said no', Date.now() + 60_000);
    box.close();

    box = Outbox.open(file);
    const seg = box.get('c2:segment:x')!;
    expect(seg).toMatchObject({
      parts: 3,
      partsDone: 2,
      size: OUTBOX_PART_BYTES * 2 + 10,
      sha256: sha,
      deliveredAt: null,
    });
    expect(box.due().map((r) => r.id)).toEqual(['c2:segment:x']); // the alert is backing off
    expect(box.get('c2:alert:1')).toMatchObject({ attempts: 1, lastError: 'cloud said no' });
    box.retryAllNow(); // the link came back
    expect(box.due().map((r) => r.id)).toEqual(['c2:segment:x', 'c2:alert:1']);
    box.delivered('c2:segment:x');
    expect(box.counts()).toEqual({ pending: 1, delivered: 1, dropped: 0 });
    box.close();
  });

  test('shredding a call drops its unsent data but keeps what the cloud must still hear', () => {
    const box = Outbox.open(path.join(dir, 'c.sqlite'));
    box.enqueue({ id: 'c3:clip:1', kind: 'clip', callId: 'c3', body: Buffer.from('x') });
    box.enqueue({ id: 'c3:head:9', kind: 'manifest-head', callId: 'c3', body: Buffer.from('{}') });
    box.enqueue({ id: 'c3:shredded', kind: 'shredded', callId: 'c3', body: Buffer.from('{}') });
    expect(box.dropCall('c3', 'crypto-shredded', ['manifest-head', 'shredded'])).toBe(1);
    expect(box.pending().map((r) => r.id)).toEqual(['c3:head:9', 'c3:shredded']);
    box.close();
  });

  test('a file item needs its hash', () => {
    const box = Outbox.open(path.join(dir, 'd.sqlite'));
    const blob = path.join(dir, 'f.bin');
    writeFileSync(blob, 'x');
    expect(() => box.enqueue({ id: 'x', kind: 'clip', callId: 'c', file: blob })).toThrow(/SHA-256/);
    box.close();
  });
});
