// A three-party call through the real SFU (mediasoup worker), with real RTP
// from ffmpeg, recorded by the edge: per-track segments that each start on a
// key frame, a side-by-side composite, everything encrypted on disk and listed
// in a signed, verifiable manifest.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyCall } from '../../edge-node/src/archive/manifest/verify.ts';
import { startTestEdge, type TestEdge } from '../helpers/edge.ts';
import { waitFor } from '../helpers/cloud.ts';
import {
  decrypted,
  ffprobe,
  firstFrameIsKey,
  readableMedia,
  joinWithMedia,
  recordersLive,
  startSender,
  tempDir,
  type MediaParticipant,
} from './recording-support.ts';

const ENV = {
  RECORDING_SEGMENT_SECONDS: '4',
  RECORDING_COMPOSITE_TILE: '320x180',
  ARCHIVE_MIN_FREE_BYTES: '0',
};
const CALL_S = 14;

describe('recording a three-party call', () => {
  let edge: TestEdge;
  const work = tempDir('rec3');
  const participants: MediaParticipant[] = [];

  beforeAll(async () => {
    edge = await startTestEdge({ ...ENV, RECORDING_ENABLED: '1' });
  });
  afterAll(async () => {
    for (const p of participants) p.client.close();
    await edge?.stop();
    await rm(work, { recursive: true, force: true });
  });

  test('every track is recorded in key-frame-led segments, a composite is made, and the stored call verifies', async () => {
    const callId = 'call-rec-3p';
    participants.push(await joinWithMedia(edge, callId, 'cust-1', 'customer'));
    participants.push(await joinWithMedia(edge, callId, 'mgr-1', 'manager'));
    participants.push(await joinWithMedia(edge, callId, 'exp-1', 'expert'));
    await recordersLive(edge, callId, 6);
    const senders = participants.map((p, i) =>
      startSender(p, { durationS: CALL_S, frequency: 300 + 200 * i }),
    );
    expect(await Promise.all(senders.map((s) => s.done))).toEqual([0, 0, 0]);
    edge.edge.calls.endCall(callId, 'test call over');
    await edge.edge.archive.recording!.settled();
    await edge.edge.archive.archive.idle();

    const record = edge.edge.archive.archive.store.get(callId)!;
    expect(record.meta.status).toBe('sealed');
    const tracks = record.entries('track');
    expect(tracks.map((t) => `${t.role}/${t.kind}`).sort()).toEqual([
      'customer/audio',
      'customer/video',
      'expert/audio',
      'expert/video',
      'manager/audio',
      'manager/video',
    ]);
    const timings = new Map(record.entries('timing').map((t) => [t.track, t.timing]));
    for (const t of tracks) {
      const timing = timings.get(t.track);
      expect(timing, `timing of ${t.track}`).toBeDefined();
      expect(timing!.sr, `sender report for ${t.track}`).toBeDefined();

      const segments = record.entries('segment').filter((s) => s.track === t.track);
      expect(segments.length, `segments of ${t.track}`).toBeGreaterThanOrEqual(2);
      // segments are contiguous in media time
      for (let i = 1; i < segments.length; i++)
        expect(Math.abs(segments[i]!.startS - segments[i - 1]!.endS)).toBeLessThan(0.1);
      let total = 0;
      for (const s of segments) {
        // on disk: ciphertext, from which ffprobe reads no media
        expect(await readableMedia(record.absolute(s.file)), `${s.file} on disk`).toBeUndefined();
        const plain = await decrypted(record, s.file, work);
        const info = await ffprobe(plain);
        expect(info.streams).toHaveLength(1);
        expect(info.streams[0]!.codec_name).toBe(t.kind === 'audio' ? 'opus' : 'vp8');
        expect(info.format.duration).toBeGreaterThan(0);
        if (t.kind === 'video')
          expect(await firstFrameIsKey(plain), `${s.file} starts on a key frame`).toBe(true);
        total += s.endS - s.startS;
      }
      // the recording covers the call (minus the recorder's start-up)
      expect(total, `recorded seconds of ${t.track}`).toBeGreaterThan(CALL_S - 4);
      expect(total).toBeLessThan(CALL_S + 2);
    }

    // the composite: all three cameras side by side, all voices mixed, as long as the call
    const composite = record.entries('artifact').find((a) => a.kind === 'composite');
    expect(composite).toBeDefined();
    const file = await decrypted(record, composite!.file, work);
    const info = await ffprobe(file);
    expect(info.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(info.streams.find((s) => s.codec_type === 'video')).toMatchObject({
      width: 3 * 320,
      height: 180 + 28,
    });
    expect(info.format.duration).toBeGreaterThan(CALL_S - 3);
    expect(info.format.duration).toBeLessThan(record.meta.durationMs! / 1000 + 1);

    // the manifest verifies (chain, signature by this edge, every file's hash) once the compliance report is in too
    await waitFor(
      () => record.entries('artifact').some((a) => a.kind === 'report-html'),
      30_000,
      'report stored',
    );
    const result = await verifyCall(record.paths.dir, {
      trustedPublicKey: edge.edge.archive.archive.publicKey,
    });
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.segments).toBe(record.entries('segment').length);
    expect(existsSync(path.join(record.paths.dir, 'manifest.head.json'))).toBe(true);
  });
});
