// A call recorded across an edge restart: the participants rejoin the same call
// on the new edge process, whose recorders must not reuse the track names — and
// so the segment files — of the recording made before the restart (a new process
// numbers tracks from 0 again). Every segment stays listed once and the stored
// call verifies.
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { verifyCall } from '../../edge-node/src/archive/manifest/verify.ts';
import { waitFor } from '../helpers/cloud.ts';
import { createCallKeys } from '../helpers/tokens.ts';
import { joinWithMedia, recordersLive, startEdgeAt, startSender } from './recording-support.ts';
import { recordingTestBed } from './recording-testbed.ts';

const ENV = {
  RECORDING_ENABLED: '1',
  RECORDING_SEGMENT_SECONDS: '2',
  RECORDING_COMPOSITE: '0',
  ARCHIVE_MIN_FREE_BYTES: '0',
};

describe('recording across an edge restart', () => {
  const { dir, participants, stops } = recordingTestBed('recrestart', ENV);

  test('the rejoined participant is recorded under new track names; no segment is written twice', async () => {
    const callId = 'call-restart';
    const edgeDir = path.join(dir, 'edge');
    const keys = createCallKeys(dir);
    const segments = (edge: Awaited<ReturnType<typeof startEdgeAt>>) =>
      edge.edge.archive.archive.store.get(callId)?.entries('segment') ?? [];

    const first = await startEdgeAt(edgeDir, {}, keys);
    const before = await joinWithMedia(first, callId, 'cust-restart', 'customer');
    participants.push(before);
    const sender = startSender(before, { durationS: 30 });
    await recordersLive(first, callId, 2);
    await waitFor(
      () => new Set(segments(first).map((s) => s.track)).size === 2,
      20_000,
      'segments of both tracks',
    );
    before.client.close();
    sender.kill('SIGKILL');
    await first.stop(); // the call stays open: the next start seals it as interrupted, and the rejoin reopens it

    const second = await startEdgeAt(edgeDir, {}, keys);
    stops.push(() => second.stop());
    const after = await joinWithMedia(second, callId, 'cust-restart', 'customer');
    participants.push(after);
    const senderAgain = startSender(after, { durationS: 30 });
    await recordersLive(second, callId, 2);
    const tracksBefore = new Set(segments(second).map((s) => s.track));
    await waitFor(
      () =>
        segments(second).some((s) => !tracksBefore.has(s.track)) &&
        new Set(segments(second).map((s) => s.track)).size === 4,
      20_000,
      'segments of the new tracks',
    );
    senderAgain.kill('SIGKILL');
    second.edge.calls.endCall(callId, 'test over');
    await second.edge.archive.recording!.settled();
    // The ended call's report, transcript and event log are stored after the recorders settle.
    await second.edge.analysis.settled();
    await second.edge.archive.archive.idle();

    const record = second.edge.archive.archive.store.get(callId)!;
    const tracks = record.entries('track').map((t) => t.track);
    expect(new Set(tracks).size).toBe(tracks.length);
    expect(tracks).toHaveLength(4);
    const files = record.entries('segment').map((s) => s.file);
    expect(new Set(files).size).toBe(files.length);
    const verified = await verifyCall(record.paths.dir, {
      trustedPublicKey: second.edge.archive.archive.publicKey,
    });
    expect(verified.problems).toEqual([]);
  });
});
