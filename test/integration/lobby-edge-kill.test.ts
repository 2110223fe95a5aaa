// Lobby cameras' ffmpeg processes die with the edge, even when the edge is
// SIGKILLed and cannot stop them: a real edge process with two cameras — an
// RTP camera that never sends (ffmpeg waits on UDP forever and writes nothing,
// so not even a broken pipe would end it) and a live-paced file — is killed
// with SIGKILL; both ffmpegs are gone moments later.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderScriptedLobby } from '../../scripts/lobby-assets.ts';
import { waitFor } from '../helpers/cloud.ts';
import { freePort } from '../helpers/ports.ts';
import { childPids, processName, spawnEdge, waitGone, type EdgeProcess } from '../helpers/processes.ts';

describe('lobby ffmpeg and a killed edge', () => {
  let dir: string | undefined;
  let edge: EdgeProcess | undefined;
  let ffmpegs: number[] = [];

  afterAll(async () => {
    await edge?.kill();
    // Should the test fail, the ffmpegs it caused to be started are not left running.
    for (const pid of ffmpegs) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone, as it should be
      }
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('SIGKILL of the edge ends its lobby ffmpegs, the idle RTP one included', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'lobby-kill-'));
    const sdp = path.join(dir, 'idle.sdp');
    const port = (await freePort()) & ~1;
    writeFileSync(
      sdp,
      [
        'v=0',
        'o=- 0 0 IN IP4 127.0.0.1',
        's=idle camera',
        'c=IN IP4 127.0.0.1',
        't=0 0',
        `m=video ${port} RTP/AVP 96`,
        'a=rtpmap:96 H264/90000',
        '',
      ].join('\n'),
    );
    const lobbyFile = path.join(dir, 'lobby.json');
    writeFileSync(
      lobbyFile,
      JSON.stringify({
        cameras: [
          { id: 'idle', source: { kind: 'rtp', sdpFile: sdp } },
          {
            id: 'demo',
            source: { kind: 'file', path: await renderScriptedLobby(), realtime: true, loop: true },
          },
        ],
      }),
    );
    edge = await spawnEdge({
      env: { LOBBY_CONFIG_FILE: lobbyFile, TRANSCRIPTION_ENGINE: 'none', RECORDING_ENABLED: '0' },
    });
    const edgePid = edge.child.pid!;
    const lobbyFfmpegs = () => childPids(edgePid).filter((pid) => processName(pid) === 'ffmpeg');
    await waitFor(() => lobbyFfmpegs().length === 2, 60_000, "both cameras' ffmpeg running");
    ffmpegs = lobbyFfmpegs();

    await edge.kill();
    expect(edge.child.signalCode).toBe('SIGKILL');
    // Not a graceful stop: nothing in the edge ran. The kernel ends them with their parent.
    await waitGone(ffmpegs, 10_000);
  }, 120_000);
});
