// An edge process SIGKILLed mid-call leaves nothing running behind it. Its
// recorders' ffmpeg wait on UDP, which has no end: they live on the edge's RTCP
// keepalive and end by themselves INPUT_TIMEOUT_S after it stops — the one
// recording a paused camera too. Its lobby cameras' ffmpeg end with it as well
// (an RTP camera that sends nothing: ffmpeg's own input timeout; a file camera:
// the pipe to the edge breaks). The edge runs as a real child process
// (`tsx edge-node/src/main.ts`); one Chromium participant publishes camera and
// mic. How long each ffmpeg outlived the edge → test-results/artifacts/fault-edge-kill.json.
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { INPUT_TIMEOUT_S } from '../../edge-node/src/recording/TrackRecorder.ts';
import { artifactPath } from '../helpers/artifacts.ts';
import { launchChromium } from '../helpers/browser.ts';
import { openCallPage } from '../helpers/call-page.ts';
import { ensureClientBuild } from '../helpers/client-build.ts';
import {
  childPids,
  leftoversOf,
  processName,
  spawnEdge,
  waitGone,
  type EdgeProcess,
  isAlive as alive,
} from '../helpers/processes.ts';
import { createCallKeys, type TestCallKeys } from '../helpers/tokens.ts';

/** A UDP port nobody sends to (an RTP camera that went quiet). */
async function quietUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('edge process killed mid-call', () => {
  let dir: string;
  let keys: TestCallKeys;
  let edge: EdgeProcess | undefined;
  let browser: Browser;
  let page: Page | undefined;
  const ffmpegs: number[] = [];

  beforeAll(async () => {
    ensureClientBuild();
    dir = mkdtempSync(path.join(os.tmpdir(), 'branchedge-fault-kill-'));
    keys = createCallKeys(dir);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await page?.context().close();
    await browser?.close();
    await edge?.kill();
    // Only if the test failed: leave no ffmpeg of ours behind.
    for (const pid of ffmpegs.filter(alive)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  test('its recorders (one on a paused camera) and lobby cameras end with it', async () => {
    const clip = path.join(dir, 'lobby.mp4');
    execFileSync('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x240:rate=5',
      '-t',
      '4',
      '-pix_fmt',
      'yuv420p',
      clip,
    ]);
    const sdpFile = path.join(dir, 'door.sdp');
    const rtpPort = await quietUdpPort();
    writeFileSync(
      sdpFile,
      [
        'v=0',
        'o=- 0 0 IN IP4 127.0.0.1',
        's=door',
        'c=IN IP4 127.0.0.1',
        't=0 0',
        `m=video ${rtpPort} RTP/AVP 96`,
        'a=rtpmap:96 H264/90000',
        '',
      ].join('\r\n'),
    );
    const lobbyFile = path.join(dir, 'lobby.json');
    writeFileSync(
      lobbyFile,
      JSON.stringify({
        cameras: [
          { id: 'hall', source: { kind: 'file', path: clip, realtime: true, loop: true }, fps: 1 },
          { id: 'door', source: { kind: 'rtp', sdpFile }, fps: 1 },
        ],
      }),
    );
    edge = await spawnEdge({
      env: {
        CALL_TOKEN_PUBLIC_KEY_FILE: keys.publicKeyFile,
        RECORDING_ENABLED: '1',
        RECORDING_COMPOSITE: '0',
        LOBBY_CONFIG_FILE: lobbyFile,
      },
      dataDir: path.join(dir, 'data'),
    });
    const edgePid = edge.child.pid!;
    const token = keys.mint('edge-test', {
      sub: 'ek-customer',
      callId: 'call-fault-kill',
      role: 'customer',
      branchId: 'branch-test',
      name: 'Chen Wei',
    });
    page = await openCallPage(browser, edge.url, token, 'Chen Wei');
    await expect
      .poll(() => page!.evaluate(() => window.__branchedge?.room.state), { timeout: 30_000 })
      .toBe('joined');

    // Both tracks recorded: a recorder per track, each with a first segment in its spool.
    const spoolName = new RegExp(`^branchedge-edge-test-${edgePid}(-\\d+)?$`);
    const segmentsStarted = () =>
      readdirSync('/dev/shm')
        .filter((d) => spoolName.test(d))
        .map((d) => path.join('/dev/shm', d, 'call-fault-kill'))
        .filter((d) => existsSync(d))
        .flatMap((d) => readdirSync(d).map((t) => path.join(d, t)))
        .filter((t) => readdirSync(t).some((f) => f.startsWith('seg-'))).length;
    await expect.poll(segmentsStarted, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    // The camera paused (muted): its recorder stays while the edge lives, and must still end with it.
    await page.evaluate(() => window.__branchedge!.room.setMuted('camera', true));

    const cmdline = (pid: number) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        return '';
      }
    };
    const ffmpegChildren = () => childPids(edgePid).filter((pid) => processName(pid) === 'ffmpeg');
    const lobbyOf = (pids: number[]) => pids.filter((pid) => cmdline(pid).includes(dir));
    // Both lobby cameras running at once (the quiet RTP one restarts after its input times out).
    await expect.poll(() => lobbyOf(ffmpegChildren()).length, { timeout: 60_000 }).toBe(2);
    const children = ffmpegChildren();
    const recorders = leftoversOf(edgePid);
    const lobby = lobbyOf(children);
    const others = children.filter((pid) => !recorders.includes(pid) && !lobby.includes(pid)); // frame samplers
    expect(recorders).toHaveLength(2);
    ffmpegs.push(...children);

    const workers = edge.workerPids();
    const killedAt = Date.now();
    await edge.kill();
    edge = undefined;
    const goneAfter = new Map<number, number>();
    const watch = setInterval(() => {
      for (const pid of ffmpegs)
        if (!goneAfter.has(pid) && !alive(pid)) goneAfter.set(pid, Date.now() - killedAt);
    }, 50);
    try {
      await waitGone(workers);
      // Bounded: the recorders' input timeout, plus ffmpeg's last read and a loaded machine's slack.
      await waitGone(ffmpegs, (2 * INPUT_TIMEOUT_S + 20) * 1000);
    } finally {
      clearInterval(watch);
    }
    expect(leftoversOf(edgePid)).toEqual([]);
    writeFileSync(
      artifactPath('fault-edge-kill.json'),
      JSON.stringify(
        {
          inputTimeoutS: INPUT_TIMEOUT_S,
          recordersGoneMs: recorders.map((pid) => goneAfter.get(pid) ?? Date.now() - killedAt),
          lobbyGoneMs: lobby.map((pid) => goneAfter.get(pid) ?? Date.now() - killedAt),
          frameSamplersGoneMs: others.map((pid) => goneAfter.get(pid) ?? Date.now() - killedAt),
        },
        null,
        2,
      ),
    );
  });
});
