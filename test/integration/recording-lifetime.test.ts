// How long a recorder's ffmpeg lives. It waits on UDP, so ffmpeg ends itself
// after INPUT_TIMEOUT_S without input and the edge keeps it fed with an RTCP
// keepalive: a track paused for longer than that keeps its recorder (one track,
// no gap) while the edge lives. (mediasoup happens to send the recorder probation
// packets during a pause too; the keepalive does not depend on it.) That recorders
// end once their edge is killed is test/e2e/fault-edge-kill.test.ts. And an
// edge closed right after a participant published: its recorders, starting or
// not, are done before close() returns, and an alert raised after the archive's
// database closed is dropped, not thrown.
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { RecordingAlert } from '../../edge-node/src/recording/RecordingSink.ts';
import { INPUT_TIMEOUT_S } from '../../edge-node/src/recording/TrackRecorder.ts';
import { waitFor } from '../helpers/cloud.ts';
import { processesMentioning } from '../helpers/processes.ts';
import { joinWithMedia, recordersLive, startEdgeAt, startSender } from './recording-support.ts';
import { recordingTestBed } from './recording-testbed.ts';
import { isAlive as alive } from '../helpers/processes.ts';

const ENV = {
  RECORDING_ENABLED: '1',
  RECORDING_SEGMENT_SECONDS: '2',
  RECORDING_COMPOSITE: '0',
  ARCHIVE_MIN_FREE_BYTES: '0',
};

describe('recorder lifetime', () => {
  const { dir, participants, stops } = recordingTestBed('reclife', ENV);

  test('a camera paused for longer than the input timeout keeps its recorder — from the start, and mid-call: one track, no gap', async () => {
    const edge = await startEdgeAt(path.join(dir, 'pause'), {});
    stops.push(() => edge.stop());
    const archive = edge.edge.archive.archive;
    const alerts: RecordingAlert[] = [];
    archive.on('alert', (a) => alerts.push(a));
    const callId = 'call-pause';
    const p = await joinWithMedia(edge, callId, 'cust-pause', 'customer');
    participants.push(p);
    const video = { producerId: p.video!.producerId };
    // Paused before a single media packet reached the recorder.
    await p.client.request('pauseProducer', video);
    const sender = startSender(p, { durationS: 5 * INPUT_TIMEOUT_S });
    await recordersLive(edge, callId, 2);
    const recording = edge.edge.archive.recording!;
    const videoPid = () =>
      recording
        .status()
        .find((c) => c.callId === callId)
        ?.tracks.find((t) => t.kind === 'video')?.pid;
    const videoSegments = () =>
      archive.store
        .get(callId)
        ?.entries('segment')
        .filter((s) => s.track.includes('camera')).length ?? 0;
    const pid = videoPid()!;
    const pausedLongerThanTheTimeout = () => new Promise((r) => setTimeout(r, (INPUT_TIMEOUT_S + 4) * 1000));

    await pausedLongerThanTheTimeout();
    expect(videoPid()).toBe(pid);
    expect(alive(pid)).toBe(true);
    await p.client.request('resumeProducer', video);
    await waitFor(() => videoSegments() >= 2, 20_000, 'video segments after the first resume');

    await p.client.request('pauseProducer', video);
    await pausedLongerThanTheTimeout();
    expect(videoPid()).toBe(pid);
    const before = videoSegments();
    await p.client.request('resumeProducer', video);
    await waitFor(() => videoSegments() >= before + 2, 20_000, 'video segments after the second resume');
    expect(videoPid()).toBe(pid);

    sender.kill('SIGKILL');
    edge.edge.calls.endCall(callId, 'test over');
    await recording.settled();
    const record = archive.store.get(callId)!;
    expect(record.entries('track').filter((t) => t.kind === 'video')).toHaveLength(1);
    expect(record.entries('gap')).toEqual([]);
    expect(alerts).toEqual([]);
  });

  test('an edge closed right after a participant published: recorders are done first, a late alert is dropped', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const edge = await startEdgeAt(path.join(dir, 'close'), {});
      const archive = edge.edge.archive.archive;
      const spool = edge.edge.archive.config.recording.spoolDir;
      const p = await joinWithMedia(edge, 'call-close', 'cust-close', 'customer');
      participants.push(p);
      await edge.stop();
      // Every recorder stopped or gave up its start before the archive closed: none is left running.
      expect(processesMentioning(`${spool}/`)).toEqual([]);
      // The outbox database closes after a grace period; an alert after that is dropped.
      archive.close(0);
      await new Promise((r) => setTimeout(r, 100));
      expect(() =>
        archive.alert({ callId: 'call-close', type: 'recording.failed', reason: 'recorder-start', atMs: 1 }),
      ).not.toThrow();
      await new Promise((r) => setTimeout(r, 500));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});
