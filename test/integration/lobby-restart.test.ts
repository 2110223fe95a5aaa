// A real edge analysing a lobby camera is stopped and started again during the
// day: the day so far is on its disk (data/lobby/day.json) and the restarted
// edge carries on from it — entries, exits, dwell and heat map — instead of
// starting the day from zero. The restarted edge's camera source is unreadable,
// so nothing it counts after the restart can be mistaken for what it restored.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { createLogger } from '#common/logger';
import { createEdge, type Edge } from '../../edge-node/src/app.ts';
import { LobbyDayState } from '../../edge-node/src/lobby/dayState.ts';
import { renderScriptedLobby } from '../../scripts/lobby-assets.ts';
import { testEdgeConfig } from '../helpers/edge.ts';
import { createCallKeys } from '../helpers/tokens.ts';
import { waitFor } from '../helpers/cloud.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lobby-restart-'));
const logger = createLogger('lobby-restart-test', { level: process.env.TEST_LOG_LEVEL ?? 'warn' });
const edges: Edge[] = [];
afterAll(async () => {
  for (const e of edges) await e.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

function lobbyFile(name: string, source: string): string {
  const file = path.join(dir, name);
  const whole = [
    [0, 0],
    [1, 0],
    [1, 1],
    [0, 1],
  ];
  writeFileSync(
    file,
    JSON.stringify({
      cameras: [
        {
          id: 'hall',
          source: { kind: 'file', path: source },
          zones: [{ id: 'hall', kind: 'waiting', polygon: whole }],
        },
      ],
    }),
  );
  return file;
}

test('an edge restarted during the day carries on its lobby counts from disk', async () => {
  const keys = createCallKeys(dir);
  const start = async (lobbyConfig: string) => {
    const edge = await createEdge(
      testEdgeConfig(
        dir,
        keys,
        { TRANSCRIPTION_ENGINE: 'none', RECORDING_ENABLED: '0', FRAME_SAMPLING_ENABLED: '0' },
        { LOBBY_CONFIG_FILE: lobbyConfig },
      ),
      logger,
    );
    edges.push(edge);
    return edge;
  };

  const first = await start(lobbyFile('lobby-1.json', await renderScriptedLobby()));
  const cam = first.lobby!.cameras[0]!;
  await waitFor(() => cam.state === 'ended', 60_000, 'the scripted clip analysed');
  const before = cam.stats().zones[0]!;
  expect(before.entries).toBeGreaterThan(0);
  expect(before.dwell.visits).toBeGreaterThan(0);
  const heatS = cam.heatmap.totalS;
  await first.close(); // saves the day

  const saved = LobbyDayState.parse(
    JSON.parse(readFileSync(path.join(dir, 'data', 'lobby', 'day.json'), 'utf8')),
  );
  expect(saved).toMatchObject({ branchId: 'branch-test', edgeId: 'edge-test', day: first.lobby!.day });

  const second = await start(lobbyFile('lobby-2.json', path.join(dir, 'no-such-camera.mp4')));
  const restored = second.lobby!.cameras[0]!;
  await waitFor(
    () => restored.state === 'failed' || restored.state === 'ended',
    30_000,
    'the unreadable camera given up',
  );
  const after = restored.stats().zones[0]!;
  // People still in the zone when the edge stopped are not carried: they count again when seen.
  expect(after.entries).toBe(before.entries - before.count);
  expect(after.exits).toBe(before.exits);
  expect(after.dwell).toEqual(before.dwell);
  expect(restored.heatmap.totalS).toBeCloseTo(heatS, 6);
  expect(second.lobby!.day).toBe(first.lobby!.day);
}, 120_000);
