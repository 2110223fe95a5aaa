import { describe, expect, test } from 'vitest';
import { JitterBuffer, type JitterOutput } from '../../../edge-node/src/transcription/stream/JitterBuffer.ts';
import {
  buildRtp,
  parseRtp,
  SequenceUnwrapper,
  TimestampUnwrapper,
} from '../../../edge-node/src/transcription/stream/rtp.ts';

const pkt = (seq: number) => ({ seq, ts: seq * 960, payload: new Uint8Array([seq & 0xff]) });
/** A buffer whose playout has started with packet 1 (pushed at 0, released at 60). */
function started(maxGap = 500): JitterBuffer {
  const jb = new JitterBuffer(60, maxGap);
  jb.push(pkt(1), 0);
  jb.poll(60);
  return jb;
}
const seqs = (out: JitterOutput[]) =>
  out.map((o) => (o.type === 'packet' ? o.packet.seq : `lost${o.fromSeq}x${o.count}`));

describe('JitterBuffer', () => {
  test('playout starts after the first packet waited the delay, then in-order packets pass straight through', () => {
    const jb = new JitterBuffer(60);
    expect(seqs([...jb.push(pkt(1), 0), ...jb.push(pkt(2), 20), ...jb.push(pkt(3), 40)])).toEqual([]);
    expect(seqs(jb.poll(60))).toEqual([1, 2, 3]);
    expect(seqs(jb.push(pkt(4), 80))).toEqual([4]);
  });

  test('a reordered start is not lost', () => {
    const jb = new JitterBuffer(60);
    jb.push(pkt(3), 0);
    jb.push(pkt(1), 10);
    jb.push(pkt(2), 15);
    expect(seqs(jb.poll(60))).toEqual([1, 2, 3]);
    expect(jb.stats.late).toBe(0);
  });

  test('a reordered packet is put back in order', () => {
    const jb = started();
    const out = [...jb.push(pkt(3), 20), ...jb.push(pkt(2), 25), ...jb.push(pkt(4), 40)];
    expect(seqs(out)).toEqual([2, 3, 4]);
    expect(jb.stats.reordered).toBe(1);
    expect(jb.stats.lost).toBe(0);
  });

  test('a missing packet is declared lost once a newer one waited the maximum delay', () => {
    const jb = started();
    const out = [...jb.push(pkt(3), 20), ...jb.push(pkt(4), 40)];
    expect(seqs(out)).toEqual([]);
    expect(seqs(jb.poll(79))).toEqual([]);
    expect(seqs(jb.poll(80))).toEqual(['lost2x1', 3, 4]);
    expect(jb.stats.lost).toBe(1);
    // Arriving after it was given up: too late to play.
    expect(jb.push(pkt(2), 90)).toEqual([]);
    expect(jb.stats.late).toBe(1);
  });

  test('a burst of losses is one lost run', () => {
    const jb = started();
    jb.push(pkt(7), 120);
    expect(seqs(jb.poll(200))).toEqual(['lost2x5', 7]);
  });

  test('duplicates are dropped', () => {
    const jb = started();
    jb.push(pkt(3), 70);
    expect(jb.push(pkt(3), 71)).toEqual([]);
    expect(jb.stats.duplicates).toBe(1);
  });

  test('a jump far ahead is a restart, not a loss of hundreds of packets', () => {
    const jb = started(500);
    expect(seqs(jb.push(pkt(5000), 80))).toEqual([5000]);
    expect(jb.stats.lost).toBe(0);
  });

  test('flush plays everything held and declares the gaps lost', () => {
    const jb = started();
    jb.push(pkt(4), 70);
    expect(seqs(jb.flush())).toEqual(['lost2x2', 4]);
  });
});

describe('RTP', () => {
  test('parses header, CSRCs, extension and padding', () => {
    const payload = new Uint8Array([1, 2, 3, 4, 5]);
    const base = buildRtp({
      payloadType: 111,
      sequenceNumber: 65535,
      timestamp: 0xfffffff0,
      ssrc: 0xdeadbeef,
      payload,
      marker: true,
    });
    // Insert one CSRC and a 1-word header extension, and 3 bytes of padding.
    const header = Buffer.from(base.subarray(0, 12));
    header[0] = 0x80 | 0x10 | 0x20 | 0x01;
    const csrc = Buffer.from([0, 0, 0, 7]);
    const ext = Buffer.from([0xbe, 0xde, 0x00, 0x01, 0x10, 0xff, 0x00, 0x00]);
    const padding = Buffer.from([0, 0, 3]);
    const p = parseRtp(Buffer.concat([header, csrc, ext, Buffer.from(payload), padding]))!;
    expect(p).toMatchObject({
      payloadType: 111,
      sequenceNumber: 65535,
      timestamp: 0xfffffff0,
      ssrc: 0xdeadbeef,
      marker: true,
    });
    expect([...p.payload]).toEqual([1, 2, 3, 4, 5]);
  });

  test('RTCP and garbage are not RTP', () => {
    const rtcp = Buffer.from([0x80, 200, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseRtp(rtcp)).toBeUndefined();
    expect(parseRtp(Buffer.from([1, 2, 3]))).toBeUndefined();
    expect(parseRtp(Buffer.alloc(20, 0x40))).toBeUndefined();
  });

  test('sequence numbers and timestamps unwrap across their wrap points, and late ones stay behind', () => {
    const s = new SequenceUnwrapper();
    expect([65534, 65535, 0, 1, 65535, 2].map((x) => s.unwrap(x))).toEqual([
      65534, 65535, 65536, 65537, 65535, 65538,
    ]);
    const t = new TimestampUnwrapper();
    expect([0xffffff00, 0x00000100, 0xfffffff0].map((x) => t.unwrap(x))).toEqual([
      0xffffff00, 0x100000100, 0xfffffff0,
    ]);
  });
});
