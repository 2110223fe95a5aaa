// A live lobby camera: ffmpeg streams the scripted lobby as H.264 over RTP to
// the edge (as a camera or encoder pushing RTP would), described by an SDP
// file. The camera analyses it live, notices when the stream dies (no end on
// UDP: the stall watchdog), reconnects, and picks the stream up again.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '#common/logger';
import { LobbyService, parseLobbyConfig } from '../../edge-node/src/lobby/index.ts';
import { renderScriptedLobby } from '../../scripts/lobby-assets.ts';
import { waitFor } from '../helpers/cloud.ts';
import { freePort } from '../helpers/ports.ts';

describe('lobby camera on a live RTP stream', () => {
  let dir: string;
  let sdp: string;
  let clip: string;
  let port: number;
  let sender: ChildProcess | undefined;
  let lobby: LobbyService | undefined;

  /** Streams the clip in real time, looped, one key frame a second so a receiver can join at any time. */
  async function startSender(): Promise<void> {
    rmSync(sdp, { force: true });
    sender = spawn(
      'ffmpeg',
      [
        '-loglevel',
        'error',
        '-re',
        '-stream_loop',
        '-1',
        '-i',
        clip,
        '-an',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-tune',
        'zerolatency',
        '-g',
        '5',
        '-f',
        'rtp',
        '-sdp_file',
        sdp,
        `rtp://127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    await waitFor(() => existsSync(sdp), 10_000, 'SDP file');
  }

  async function stopSender(): Promise<void> {
    const s = sender;
    sender = undefined;
    if (!s || s.exitCode !== null) return;
    const exited = new Promise((r) => s.once('exit', r));
    s.kill('SIGKILL');
    await exited;
  }

  beforeAll(async () => {
    clip = await renderScriptedLobby();
    dir = mkdtempSync(path.join(os.tmpdir(), 'lobby-rtp-'));
    sdp = path.join(dir, 'hall.sdp');
    // RTP on an even port, RTCP on the next one.
    port = (await freePort()) & ~1;
    await startSender();
    lobby = await LobbyService.start({
      file: parseLobbyConfig({
        cameras: [
          {
            id: 'hall',
            source: { kind: 'rtp', sdpFile: sdp },
            zones: [
              {
                id: 'all',
                kind: 'waiting',
                polygon: [
                  [0, 0],
                  [1, 0],
                  [1, 1],
                  [0, 1],
                ],
              },
            ],
          },
        ],
      }),
      branchId: 'b',
      edgeId: 'e',
      staffOnDuty: 2,
      logger: createLogger('lobby-rtp', { level: 'error' }),
    });
  }, 60_000);

  afterAll(async () => {
    await lobby?.close();
    await stopSender();
    rmSync(dir, { recursive: true, force: true });
  });

  it('analyses the live stream and sees the people in it', async () => {
    const cam = lobby!.cameras[0]!;
    await waitFor(
      () => cam.framesAnalysed >= 4 && cam.stats().people >= 1,
      60_000,
      'people on the live stream',
    );
    expect(cam.state).toBe('running');
    expect(lobby!.lobbyCount()).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('reconnects after the stream dies and resumes when it is back', async () => {
    const cam = lobby!.cameras[0]!;
    await stopSender();
    await waitFor(() => cam.state === 'reconnecting', 30_000, 'stall detected');
    expect(cam.lastError).toMatch(/no data from the source/);
    const before = cam.framesAnalysed;
    await startSender();
    await waitFor(
      () => cam.state === 'running' && cam.framesAnalysed >= before + 3,
      60_000,
      'stream resumed',
    );
    // Media time goes on across the gap: the dwell clock never runs backwards.
    expect(cam.stats().mediaTimeS).toBeGreaterThan(before);
  }, 150_000);
});
