// Recording failures must not stop the call: a recorder ffmpeg killed mid-call
// and a full archive disk (a real tmpfs filled to the last byte: ENOSPC) each
// become a gap in the manifest and an alert; the call, the other tracks and,
// after recovery, the failed track go on; the stored call still verifies.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { RecordingAlert } from '../../edge-node/src/recording/RecordingSink.ts';
import { verifyCall } from '../../edge-node/src/archive/manifest/verify.ts';
import { waitFor } from '../helpers/cloud.ts';
import { joinWithMedia, startEdgeAt, startSender, withEnv } from './recording-support.ts';
import { recordingTestBed } from './recording-testbed.ts';

const ENV = {
  RECORDING_SEGMENT_SECONDS: '2',
  RECORDING_COMPOSITE: '0',
  RECORDING_RESTART_DELAY_MS: '200',
  ARCHIVE_MIN_FREE_BYTES: '0',
};

function canMountTmpfs(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m,mode=0700', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Fills a file system to the last byte (real ENOSPC for everyone writing there). */
function fill(dir: string): string {
  const filler = path.join(dir, 'filler.bin');
  const chunk = Buffer.alloc(1 << 20, 1);
  let written = 0;
  try {
    for (;;) {
      writeFileSync(filler, chunk, { flag: 'a' });
      written++;
    }
  } catch {
    // ENOSPC: now top up byte-wise so not even a small write fits
    for (let size = 65536; size >= 1; size >>= 1) {
      try {
        for (;;) writeFileSync(filler, Buffer.alloc(size), { flag: 'a' });
      } catch {
        /* next smaller size */
      }
    }
  }
  expect(written).toBeGreaterThan(0);
  return filler;
}

describe('recording failures', () => {
  let mounted: string | undefined;
  const { dir, participants, stops } = recordingTestBed('recfail', ENV, () => {
    if (mounted) execFileSync('umount', ['-l', mounted]);
  });

  test('a killed recorder is a logged gap and an alert; recording resumes and the call goes on', async () => {
    const edge = await startEdgeAt(path.join(dir, 'crash'), {});
    stops.push(() => edge.stop());
    const archive = edge.edge.archive.archive;
    const alerts: RecordingAlert[] = [];
    archive.on('alert', (a) => alerts.push(a));
    const callId = 'call-crash';
    const p = await joinWithMedia(edge, callId, 'cust-crash', 'customer');
    participants.push(p);
    const sender = startSender(p, { durationS: 14 });
    const recording = edge.edge.archive.recording!;
    const videoPid = () =>
      recording
        .status()
        .find((c) => c.callId === callId)
        ?.tracks.find((t) => t.kind === 'video')?.pid;
    await waitFor(
      () => {
        const record = archive.store.get(callId);
        return Boolean(
          record && record.entries('segment').filter((s) => s.track.includes('camera')).length >= 2,
        );
      },
      20_000,
      'video segments',
    );
    const pid = videoPid()!;
    process.kill(pid, 'SIGKILL');

    await waitFor(() => alerts.some((a) => a.reason === 'recorder-crashed'), 10_000, 'crash alert');
    await waitFor(() => videoPid() !== undefined && videoPid() !== pid, 10_000, 'a new recorder');
    // the call goes on: the participant's session answers, and the room still has the producer
    await expect(p.client.request('getStats')).resolves.toBeDefined();
    expect(await sender.done).toBe(0);
    edge.edge.calls.endCall(callId, 'test over');
    await recording.settled();
    await archive.idle();

    const record = archive.store.get(callId)!;
    // the compliance report arrives on its own after the call; verify the finished archive
    await waitFor(
      () => record.entries('artifact').some((a) => a.kind === 'report-html'),
      30_000,
      'report stored',
    );
    const gap = record.entries('gap').find((g) => g.reason === 'recorder-crashed');
    expect(gap).toBeDefined();
    expect(gap!.toMs).toBeGreaterThan(gap!.fromMs);
    const videoTracks = record
      .entries('track')
      .filter((t) => t.kind === 'video')
      .map((t) => t.track);
    expect(videoTracks).toHaveLength(2); // the first recorder and its replacement
    for (const track of videoTracks)
      expect(record.entries('segment').some((s) => s.track === track)).toBe(true);
    // the audio track was not interrupted
    const audio = record.entries('segment').filter((s) => s.track.includes('mic'));
    for (let i = 1; i < audio.length; i++)
      expect(Math.abs(audio[i]!.startS - audio[i - 1]!.endS)).toBeLessThan(0.1);
    // the alert is queued for the cloud
    expect(archive.outbox.all().some((r) => r.kind === 'alert' && r.callId === callId)).toBe(true);
    const verified = await verifyCall(record.paths.dir, { trustedPublicKey: archive.publicKey });
    expect(
      verified.problems,
      JSON.stringify({
        problems: verified.problems,
        segments: record.entries('segment').map((e) => [e.seq, e.file, e.salvaged]),
      }),
    ).toEqual([]);
  });

  test('a full archive disk (ENOSPC) is a logged gap and an alert; segments resume once space is back', async (ctx) => {
    const mount = path.join(dir, 'tmpfs');
    if (!canMountTmpfs(mount)) ctx.skip('mounting a tmpfs needs root (CAP_SYS_ADMIN)');
    mounted = mount;
    // The archive's volume is the small tmpfs; keys and the outbox stay on the data disk.
    const restore = withEnv({ ARCHIVE_DIR: mount });
    const edge = await startEdgeAt(path.join(dir, 'full'), { EDGE_ID: 'edge-full' });
    restore();
    stops.push(() => edge.stop());
    const archive = edge.edge.archive.archive;
    expect(archive.store.dir.startsWith(mount)).toBe(true);
    const alerts: RecordingAlert[] = [];
    archive.on('alert', (a) => alerts.push(a));
    const callId = 'call-full';
    const p = await joinWithMedia(edge, callId, 'cust-full', 'customer');
    participants.push(p);
    const sender = startSender(p, { durationS: 16 });
    await waitFor(
      () => (archive.store.get(callId)?.entries('segment').length ?? 0) >= 2,
      20_000,
      'first segments',
    );

    const filler = fill(mount);
    await waitFor(() => alerts.some((a) => a.reason === 'disk-full'), 15_000, 'disk-full alert');
    await expect(p.client.request('getStats')).resolves.toBeDefined();
    const segmentsWhileFull = archive.store.get(callId)!.entries('segment').length;
    await new Promise((r) => setTimeout(r, 3000));
    rmSync(filler);
    await waitFor(
      () => archive.store.get(callId)!.entries('segment').length > segmentsWhileFull + 1,
      15_000,
      'segments after space came back',
    );
    expect(await sender.done).toBe(0);
    edge.edge.calls.endCall(callId, 'test over');
    await edge.edge.archive.recording!.settled();
    await archive.idle();

    const record = archive.store.get(callId)!;
    await waitFor(
      () => record.entries('artifact').some((a) => a.kind === 'report-html'),
      30_000,
      'report stored',
    );
    const gaps = record.entries('gap').filter((g) => g.reason === 'disk-full');
    expect(gaps.length).toBeGreaterThanOrEqual(1);
    for (const g of gaps) expect(g.toMs).toBeGreaterThan(g.fromMs);
    expect(record.manifest.pendingWrites).toBe(0);
    expect((await verifyCall(record.paths.dir, { trustedPublicKey: archive.publicKey })).problems).toEqual(
      [],
    );
  });
});
