// An edge process that died (kill -9) leaves its recorders' ffmpeg running and
// segments in its spool that never reached the archive. On the next start the
// edge ends those recorders (RTCP BYE: they close their segment properly),
// archives what they recorded, and removes the spool. Here the dead edge's
// spool is built with a real ffmpeg recorder receiving real RTP from an ffmpeg
// sender, exactly as a TrackRecorder lays it out, owned by a process that is gone.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createLogger } from '#common/logger';
import { CallArchive } from '../../edge-node/src/archive/CallArchive.ts';
import { loadArchiveConfig } from '../../edge-node/src/archive/config.ts';
import { verifyCall } from '../../edge-node/src/archive/manifest/verify.ts';
import { fileSafe } from '#common/archive/paths';
import { PortAllocator } from '../../edge-node/src/recording/ports.ts';
import { recorderSdp } from '../../edge-node/src/recording/sdp.ts';
import { recoverSpools } from '../../edge-node/src/recording/SpoolRecovery.ts';
import { waitFor } from '../helpers/cloud.ts';
import { tempDir } from './recording-support.ts';

describe("recovering a dead edge's recordings", () => {
  const dir = tempDir('recover');
  const edgeId = `edge-recover-${process.pid}`;
  let archive: CallArchive | undefined;
  let orphan: ReturnType<typeof spawn> | undefined;
  let spool: string | undefined;

  afterAll(() => {
    orphan?.kill('SIGKILL');
    archive?.close();
    if (spool) rmSync(spool, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  test('orphaned recorders are stopped and everything they recorded is archived', async () => {
    const config = loadArchiveConfig(
      { RECORDING_ENABLED: '0', ARCHIVE_MIN_FREE_BYTES: '0' },
      { edgeId, branchId: 'b', dataDir: path.join(dir, 'data') },
    );
    archive = await CallArchive.open(config, createLogger('recover-test', { level: 'warn' }));
    const callId = 'call-recover';
    const track = 'cust-mic-0';
    await archive.openCall(callId, Date.now());
    await archive.addTrack(callId, {
      track,
      participantId: 'cust',
      role: 'customer',
      kind: 'audio',
      source: 'mic',
      codec: 'audio/opus',
    });

    // The dead edge: a process id that no longer exists, its spool, and its recorder still running.
    const dead = spawnSync('true').pid!;
    spool = `/dev/shm/branchedge-${edgeId}-${dead}`;
    const trackDir = path.join(spool, fileSafe(callId), track);
    mkdirSync(trackDir, { recursive: true });
    const port = new PortAllocator(63000, 63999).take();
    writeFileSync(
      path.join(trackDir, 'in.sdp'),
      recorderSdp(
        { kind: 'audio', mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 },
        port,
      ),
    );
    orphan = spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-nostdin',
        '-protocol_whitelist',
        'file,udp,rtp',
        '-i',
        path.join(trackDir, 'in.sdp'),
        '-map',
        '0',
        '-c',
        'copy',
        '-f',
        'segment',
        '-segment_time',
        '2',
        '-segment_format',
        'webm',
        '-segment_list',
        path.join(trackDir, 'segments.csv'),
        '-segment_list_type',
        'csv',
        '-reset_timestamps',
        '0',
        path.join(trackDir, 'seg-%05d.webm'),
      ],
      { stdio: 'ignore', detached: true },
    );
    const exited = new Promise<number | null>((resolve) => orphan!.once('exit', (code) => resolve(code)));
    await new Promise((r) => setTimeout(r, 500));
    const sender = spawnSync('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000',
      '-t',
      '7',
      '-c:a',
      'libopus',
      '-ac',
      '2',
      '-payload_type',
      '100',
      '-f',
      'rtp',
      `rtp://127.0.0.1:${port}?rtcpport=${port + 1}`,
    ]);
    expect(sender.status).toBe(0);
    await waitFor(() => existsSync(path.join(trackDir, 'segments.csv')), 5000, 'orphan wrote segments');
    const listedBefore = readFileSync(path.join(trackDir, 'segments.csv'), 'utf8').trim().split('\n').length;
    expect(orphan.exitCode).toBeNull(); // still running, nothing stops it

    const result = await recoverSpools({
      spoolDir: `/dev/shm/branchedge-${edgeId}-${process.pid}`,
      edgeId,
      archive,
      ffmpeg: 'ffmpeg',
      ffprobe: 'ffprobe',
      logger: createLogger('recover-test', { level: 'warn' }),
    });
    expect(await exited).toBe(0); // ended by the BYE, cleanly
    expect(result.stoppedRecorders).toBe(1);
    expect(existsSync(spool)).toBe(false);
    const segments = archive.store.get(callId)!.entries('segment');
    // the segments it had listed, plus the one it closed on the BYE
    expect(segments.length).toBe(result.segments + result.salvaged);
    expect(segments.length).toBeGreaterThanOrEqual(listedBefore + 1);
    const covered = segments.reduce((s, x) => s + (x.endS - x.startS), 0);
    expect(covered).toBeGreaterThan(6);
    await archive.finishCall(callId, 'test');
    expect(
      (await verifyCall(archive.store.get(callId)!.paths.dir, { trustedPublicKey: archive.publicKey }))
        .problems,
    ).toEqual([]);
  });
});
