// A lobby camera read over RTSP, as IP cameras and NVRs serve it: ffmpeg
// publishes the scripted lobby to a real RTSP server (test/helpers/rtsp-server.ts,
// Basic auth like a camera's `rtsp://user:pass@…`), and the camera reads it
// with `rtsp://` over TCP. The people in it are counted; when the source goes
// away (the publisher dies, readers are cut, DESCRIBE answers 404) the camera
// says so, retries with growing back-off, and resumes when the source is back.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '#common/logger';
import { LobbyService, parseLobbyConfig } from '../../edge-node/src/lobby/index.ts';
import { renderScriptedLobby } from '../../scripts/lobby-assets.ts';
import { waitFor } from '../helpers/cloud.ts';
import { TestRtspServer } from '../helpers/rtsp-server.ts';

const VIEWER = { user: 'viewer', password: 'lobby-Cam-pass-81' };

describe('lobby camera on an RTSP stream', () => {
  let clip: string;
  let server: TestRtspServer;
  let publisher: ChildProcess | undefined;
  let lobby: LobbyService | undefined;

  /** Publishes the clip in real time, looped, a key frame a second so a reader can join at any time. */
  async function startPublisher(): Promise<void> {
    publisher = spawn(
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
        'rtsp',
        '-rtsp_transport',
        'tcp',
        server.url('lobby'),
      ],
      { stdio: 'ignore' },
    );
    await waitFor(() => server.publishing('lobby'), 15_000, 'the publisher recording');
  }

  async function stopPublisher(): Promise<void> {
    const p = publisher;
    publisher = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }

  beforeAll(async () => {
    clip = await renderScriptedLobby();
    server = await TestRtspServer.start({ credentials: VIEWER });
    await startPublisher();
    lobby = await LobbyService.start({
      file: parseLobbyConfig({
        cameras: [
          {
            id: 'hall',
            source: { kind: 'rtsp', url: server.url('lobby', VIEWER), transport: 'tcp' },
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
      logger: createLogger('lobby-rtsp', { level: 'error' }),
    });
  }, 60_000);

  afterAll(async () => {
    await lobby?.close();
    await stopPublisher();
    await server?.close();
  });

  it('reads the camera over rtsp:// with its credentials and counts the people in it', async () => {
    const cam = lobby!.cameras[0]!;
    await waitFor(
      () => cam.framesAnalysed >= 4 && cam.stats().people >= 1,
      60_000,
      'people on the RTSP stream',
    );
    expect(cam.state).toBe('running');
    expect(server.readers('lobby')).toBe(1);
    // It really went through RTSP, and through the server's authentication.
    const reads = server.requests.filter((r) => r.method === 'DESCRIBE');
    expect(reads.map((r) => r.status)).toContain(401);
    expect(reads.at(-1)!.status).toBe(200);
    expect(server.requests.some((r) => r.method === 'PLAY' && r.status === 200)).toBe(true);
    const snap = lobby!.snapshot(0, 8);
    expect(snap.cameras[0]!.zones[0]!.count).toBeGreaterThanOrEqual(1);
    expect(snap.lobbyCount).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('when the source restarts: reconnecting with back-off while it is gone, running again when it is back', async () => {
    const cam = lobby!.cameras[0]!;
    const before = cam.framesAnalysed;
    const mediaBefore = cam.stats().mediaTimeS;
    const requestsBefore = server.requests.length;
    await stopPublisher();
    const downAt = Date.now();
    await waitFor(() => cam.state === 'reconnecting', 30_000, 'the camera noticing');
    // Retries find no stream (404) — at least twice, so the back-off has grown once.
    const missing = () =>
      server.requests.slice(requestsBefore).filter((r) => r.method === 'DESCRIBE' && r.status === 404);
    await waitFor(() => missing().length >= 2, 30_000, 'two retries while the source is down');
    const downS = (Date.now() - downAt) / 1000;
    expect(cam.state).toBe('reconnecting');
    // ffmpeg's reason, with the camera's password redacted.
    expect(cam.stats().lastError).toMatch(/404/);
    expect(cam.stats().lastError).not.toContain(VIEWER.password);
    // Exponential back-off (1, 2, 4… s): at most ~log2(t) + 2 attempts in t seconds, however slow the machine.
    expect(missing().length).toBeLessThanOrEqual(Math.log2(downS + 1) + 2);

    await startPublisher();
    await waitFor(
      () => cam.state === 'running' && cam.framesAnalysed >= before + 3,
      60_000,
      'the stream resumed',
    );
    expect(server.readers('lobby')).toBe(1);
    expect(cam.stats().lastError).not.toContain(VIEWER.password);
    // Media time goes on across the gap: the dwell clock never runs backwards.
    expect(cam.stats().mediaTimeS).toBeGreaterThan(mediaBefore);
  }, 150_000);
});
