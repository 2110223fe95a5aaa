// The lobby pipeline on real footage with the real parts: ffmpeg decoding at
// 1 fps, the CenterNet detector in worker threads, tracking, zones, dwell and
// heat map. Two clips analysed side by side by one LobbyService:
//  - vtest.avi (OpenCV's sample, from Debian's opencv-doc): people counted
//    against hand labels (test/fixtures/lobby/vtest.json);
//  - a scripted clip rendered from it (scripts/lobby-assets.ts): a waiter, a
//    clerk, a passer-by and an outsider with exact entries, exits and dwell.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '#common/logger';
import { repoRoot } from '#common/paths';
import { LobbySnapshot, type LobbyZone, type Point } from '#protocol/lobby';
import { footPoint, pointInPolygon } from '../../edge-node/src/lobby/geometry.ts';
import { LobbyService, parseLobbyConfig, type FrameResult } from '../../edge-node/src/lobby/index.ts';
import { ensureVtest, renderScriptedLobby, SCRIPT } from '../../scripts/lobby-assets.ts';

interface Labels {
  size: [number, number];
  frames: { index: number; people: [number, number][]; uncertain: [number, number][] }[];
  camera: { zones: LobbyZone[]; ignore: Point[][] } & Record<string, unknown>;
}

const labels = JSON.parse(
  readFileSync(path.join(repoRoot, 'test/fixtures/lobby/vtest.json'), 'utf8'),
) as Labels;
const [W, H] = labels.size;
const norm = ([x, y]: [number, number]): Point => [x / W, y / H];
/** Feet closer than this (pixels, 768×576) are the same person. */
const MATCH_PX = 30;

describe('lobby pipeline on real footage', () => {
  const results = new Map<string, Map<number, FrameResult>>([
    ['concourse', new Map()],
    ['scripted', new Map()],
  ]);
  let lobby: LobbyService;
  let framesDir: string;

  beforeAll(async () => {
    const vtest = ensureVtest();
    const scripted = await renderScriptedLobby();
    framesDir = mkdtempSync(path.join(os.tmpdir(), 'lobby-frames-'));
    const file = parseLobbyConfig({
      cameras: [
        { ...labels.camera, id: 'concourse', source: { kind: 'file', path: vtest } },
        // Same zones; this camera keeps a frame every 20 s on disk (the only way frames are ever stored).
        {
          ...labels.camera,
          id: 'scripted',
          source: { kind: 'file', path: scripted },
          storeFrames: { dir: framesDir, everyS: 20 },
        },
      ],
    });
    lobby = await LobbyService.start({
      file,
      branchId: 'branch-test',
      edgeId: 'edge-test',
      staffOnDuty: 2,
      detectorWorkers: 2,
      logger: createLogger('lobby-test', { level: 'warn' }),
      onFrame: (cameraId, r) => results.get(cameraId)!.set(r.frame.index, r),
    });
    await lobby.done();
  }, 300_000);

  afterAll(async () => {
    await lobby?.close();
    rmSync(framesDir, { recursive: true, force: true });
  });

  it('analyses every second of both clips', () => {
    expect(results.get('concourse')!.size).toBe(80); // 79.5 s
    expect(results.get('scripted')!.size).toBe(60);
    for (const cam of lobby.cameras) expect(cam.state).toBe('ended');
  });

  it('counts the people on vtest.avi like a human labeller', () => {
    const rows: { index: number; sure: number; uncertain: number; detected: number; tracked: number }[] = [];
    let truePositives = 0;
    let labelled = 0;
    let falsePositives = 0;
    for (const f of labels.frames) {
      const r = results.get('concourse')!.get(f.index)!;
      const feet = r.detections.map((d) => footPoint(d.box)).map(([x, y]) => [x * W, y * H] as const);
      const near = (p: readonly [number, number]) =>
        feet.some(([x, y]) => Math.hypot(x - p[0], y - p[1]) < MATCH_PX);
      truePositives += f.people.filter(near).length;
      labelled += f.people.length;
      const all = [...f.people, ...f.uncertain];
      falsePositives += feet.filter(
        ([x, y]) => !all.some((p) => Math.hypot(x - p[0], y - p[1]) < MATCH_PX),
      ).length;
      // Tracks seen in this frame; a track needs two frames to be confirmed, so frame 0 has none by design.
      const tracked = r.tracks.filter((t) => t.misses === 0).length;
      rows.push({
        index: f.index,
        sure: f.people.length,
        uncertain: f.uncertain.length,
        detected: r.detections.length,
        tracked,
      });
    }
    console.table(rows);
    const detectedTotal = rows.reduce((n, r) => n + r.detected, 0);
    console.log(`recall ${truePositives}/${labelled}, false positives ${falsePositives}/${detectedTotal}`);
    expect(truePositives / labelled).toBeGreaterThanOrEqual(0.9); // recall on hand-labelled people
    expect(1 - falsePositives / detectedTotal).toBeGreaterThanOrEqual(0.9); // precision
    for (const r of rows) {
      expect(r.detected).toBeGreaterThanOrEqual(r.sure - 1);
      expect(r.detected).toBeLessThanOrEqual(r.sure + r.uncertain + 1);
      if (r.index >= 2) expect(Math.abs(r.tracked - r.detected)).toBeLessThanOrEqual(1);
    }
  });

  it('counts per zone match the zones of the hand-labelled feet', () => {
    for (const f of labels.frames.filter((fr) => fr.index >= 2)) {
      const r = results.get('concourse')!.get(f.index)!;
      for (const zone of labels.camera.zones) {
        const want = f.people.filter((p) => pointInPolygon(norm(p), zone.polygon)).length;
        const got = r.tracks.filter(
          (t) => t.misses === 0 && pointInPolygon(footPoint(t.box), zone.polygon),
        ).length;
        expect(
          Math.abs(got - want),
          `frame ${f.index} zone ${zone.id}: ${got} vs ${want}`,
        ).toBeLessThanOrEqual(1);
      }
    }
    // Walkers crossing the concourse all the time: every zone saw traffic, and everyone left in the end.
    const stats = lobby.cameras[0]!.stats();
    for (const z of stats.zones) {
      expect(z.entries).toBeGreaterThan(3);
      expect(z.exits).toBe(z.entries);
      expect(z.count).toBe(0);
    }
  });

  it('gets entries, exits and dwell times of the scripted lobby right', () => {
    /** Frames at 1 fps in which a scripted person is visible: seconds ceil(from) … ceil(to) − 1. */
    const seconds = (id: string) => {
      const p = SCRIPT.find((s) => s.id === id)!;
      return { first: Math.ceil(p.fromS), last: Math.ceil(p.toS) - 1 };
    };
    const waiter = seconds('waiter');
    const passer = seconds('passer');
    const clerk = seconds('clerk');
    const stats = lobby.cameras[1]!.stats();
    const zone = (id: string) => stats.zones.find((z) => z.zoneId === id)!;
    expect(zone('waiting')).toMatchObject({ entries: 2, exits: 2, count: 0 });
    expect(zone('counter')).toMatchObject({ entries: 1, exits: 1, count: 0 });
    expect(zone('self-service')).toMatchObject({ entries: 0, exits: 0 });
    // Dwell: the passer's 7 s and the waiter's 29 s; the clerk's 39 s at the counter (±2 s: a missed frame at either end).
    const dwellWaiting = [passer.last - passer.first, waiter.last - waiter.first];
    expect(zone('waiting').dwell.counts[0]).toBe(2); // both under 30 s
    expect(
      Math.abs(zone('waiting').dwell.meanS! - (dwellWaiting[0]! + dwellWaiting[1]!) / 2),
    ).toBeLessThanOrEqual(2);
    expect(Math.abs(zone('counter').dwell.meanS! - (clerk.last - clerk.first))).toBeLessThanOrEqual(2);
    expect(zone('counter').dwell.counts[1]).toBe(1); // 30–60 s bucket

    // Mid-clip: at 25 s the waiter and the passer wait, the clerk is at the counter, the outsider counts in no zone.
    const at25 = results.get('scripted')!.get(25)!;
    expect(at25.tracks).toHaveLength(4);
    const inZone = (id: string) =>
      at25.tracks.filter((t) =>
        pointInPolygon(footPoint(t.box), labels.camera.zones.find((z) => z.id === id)!.polygon),
      ).length;
    expect([inZone('waiting'), inZone('counter'), inZone('self-service')]).toEqual([2, 1, 0]);
  });

  it('renders a heat map whose hottest spot is where someone stood all along', async () => {
    const cam = lobby.cameras[1]!;
    const [col, row] = cam.heatmap.peak();
    const outsider = SCRIPT.find((s) => s.id === 'outsider')!;
    // The outsider stood on the grass for the whole minute, near their scripted feet.
    expect(Math.abs(col - (outsider.from[0] / W) * cam.heatmap.cols)).toBeLessThanOrEqual(1.5);
    expect(Math.abs(row - (outsider.from[1] / H) * cam.heatmap.rows)).toBeLessThanOrEqual(1.5);
    expect(cam.heatmap.totalS).toBeCloseTo(60, 0);
    const png = await cam.heatmap.png(cam.config.zones);
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 32 * 16, 24 * 16]);
  });

  it('stores frames only for the camera configured to, at the configured interval', () => {
    const stored = readdirSync(framesDir).sort();
    expect(stored).toEqual(['scripted-000000.jpg', 'scripted-000020.jpg', 'scripted-000040.jpg']);
    expect(existsSync(path.join(framesDir, 'concourse-000000.jpg'))).toBe(false);
  });

  it('snapshot is schema-valid and the busyness follows the waiting zones', () => {
    const snap = LobbySnapshot.parse(lobby.snapshot(1, 8));
    expect(snap.cameras.map((c) => c.framesAnalysed)).toEqual([80, 60]);
    expect(snap.cameras[0]!.detectorMsP50).toBeGreaterThan(0);
    // Both clips are over: nobody waits now, only the call counts.
    expect(snap.lobbyCount).toBe(0);
    expect(snap.busyness.score).toBeCloseTo(0.2 * (1 / 8), 3);
  });
});
