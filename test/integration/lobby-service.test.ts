// LobbyService over several cameras with a scripted detector (real ffmpeg
// decoding a generated clip, the people supplied by the test): how the
// branch's lobby count and busyness are put together across cameras, and what
// a camera whose source cannot be read reports.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '#common/logger';
import type { Detection } from '../../edge-node/src/lobby/detector/model.ts';
import type { PersonDetector } from '../../edge-node/src/lobby/detector/DetectorPool.ts';
import { LobbyService, parseLobbyConfig } from '../../edge-node/src/lobby/index.ts';

/** A person whose feet are at (x, y), normalised. */
const at = (x: number, y: number): Detection => ({ box: [x - 0.03, y - 0.2, x + 0.03, y], score: 0.9 });

/**
 * Detector stand-in: the same people in every frame. With `lockstep` cameras,
 * each call waits for the other cameras' call of the same round, so the
 * cameras advance frame by frame together (an instant detector would
 * otherwise let one camera finish before the other starts).
 */
class ScriptedDetector implements PersonDetector {
  calls = 0;
  #waiting: (() => void)[] = [];
  constructor(
    private readonly people: Detection[],
    private readonly lockstep = 1,
  ) {}
  async detect(): Promise<{ detections: Detection[]; ms: number }> {
    this.calls++;
    if (this.lockstep > 1) {
      await new Promise<void>((resolve) => {
        this.#waiting.push(resolve);
        if (this.#waiting.length === this.lockstep) for (const r of this.#waiting.splice(0)) r();
        else setTimeout(resolve, 2000); // never deadlock if a camera ends early
      });
    }
    return { detections: this.people, ms: 1 };
  }
  async close(): Promise<void> {}
}

describe('LobbyService', () => {
  let dir: string;
  let clip: string;
  const services: LobbyService[] = [];
  const logger = createLogger('lobby-service-test', { level: 'error' });

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'lobby-svc-'));
    clip = path.join(dir, 'clip.mp4');
    execFileSync('ffmpeg', [
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x240:rate=5',
      '-t',
      '12',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      clip,
    ]);
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts people in waiting zones, and everyone on a camera without zones; busyness follows', async () => {
    // Three people: two in the waiting zone (left half), one at the counter (right half).
    const detector = new ScriptedDetector([at(0.2, 0.8), at(0.3, 0.9), at(0.8, 0.8)], 2);
    const zones = [
      {
        id: 'waiting',
        kind: 'waiting',
        polygon: [
          [0, 0.5],
          [0.5, 0.5],
          [0.5, 1],
          [0, 1],
        ],
      },
      {
        id: 'counter',
        kind: 'counter',
        polygon: [
          [0.5, 0.5],
          [1, 0.5],
          [1, 1],
          [0.5, 1],
        ],
      },
    ];
    const file = parseLobbyConfig({
      cameras: [
        { id: 'zoned', source: { kind: 'file', path: clip }, zones },
        { id: 'plain', source: { kind: 'file', path: clip } },
      ],
    });
    let mid: ReturnType<LobbyService['busyness']> | undefined;
    const service = await LobbyService.start({
      file,
      branchId: 'b1',
      edgeId: 'e1',
      staffOnDuty: 2,
      detector,
      logger,
      onFrame: (cameraId, r) => {
        if (cameraId === 'plain' && r.frame.index === 6) mid = service.busyness(0, 8);
      },
    });
    services.push(service);
    await service.done();
    // 12 s at 1 fps, two cameras (ffmpeg's fps filter may round the last frame either way).
    expect(detector.calls).toBeGreaterThanOrEqual(22);
    expect(detector.calls).toBeLessThanOrEqual(26);
    // While the clips ran: 2 waiting on the zoned camera + 3 seen by the plain one.
    expect(mid!.inputs.lobbyCount).toBe(5);
    expect(mid!.lobby).toBeCloseTo(5 / (2 * 3), 3); // 5 waiting, 2 free staff × 3 each
    const zoned = service.camera('zoned').stats();
    expect(zoned.zones.map((z) => [z.zoneId, z.entries, z.exits])).toEqual([
      ['waiting', 2, 2],
      ['counter', 1, 1],
    ]);
    // Everyone stood still for the whole clip: two ~11 s visits in the waiting zone, closed when the clip ended.
    expect(zoned.zones[0]!.dwell).toMatchObject({ visits: 2, counts: [2, 0, 0, 0, 0, 0, 0, 0] });
    expect(Math.abs(zoned.zones[0]!.dwell.meanS! - 11)).toBeLessThanOrEqual(1);
    // Clips over: nobody waits now.
    expect(service.lobbyCount()).toBe(0);
  });

  it('a camera whose source cannot be read ends as failed, with the reason, and counts nothing', async () => {
    const service = await LobbyService.start({
      file: parseLobbyConfig({
        cameras: [{ id: 'broken', source: { kind: 'file', path: path.join(dir, 'missing.mp4') } }],
      }),
      branchId: 'b1',
      edgeId: 'e1',
      staffOnDuty: 2,
      detector: new ScriptedDetector([]),
      logger,
    });
    services.push(service);
    await service.done();
    const stats = service.camera('broken').stats();
    expect(stats.state).toBe('failed');
    expect(stats.lastError).toMatch(/No such file/);
    expect(service.lobbyCount()).toBe(0);
    expect(() => service.camera('nope')).toThrow(/no lobby camera "nope"/);
  }, 60_000);
});
