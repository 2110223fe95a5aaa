import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '#protocol/errors';
import { ffmpegArgs, readFrames } from '../../../edge-node/src/lobby/FrameSource.ts';
import { loadLobbyConfigFile, parseLobbyConfig, redactUrl } from '../../../edge-node/src/lobby/config.ts';

const zone = {
  id: 'waiting',
  kind: 'waiting',
  polygon: [
    [0, 0],
    [1, 0],
    [1, 1],
  ],
};

function fields(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return ((err as AppError).details as { fields: { path: string }[] }).fields.map((f) => f.path);
  }
  throw new Error('expected a validation error');
}

describe('lobby camera configuration', () => {
  it('applies defaults: 1 fps, score 0.35, 32×24 heat map, no frames stored', () => {
    const cfg = parseLobbyConfig({
      cameras: [{ id: 'cam1', source: { kind: 'rtsp', url: 'rtsp://cam/1' }, zones: [zone] }],
    });
    const cam = cfg.cameras[0]!;
    expect(cam).toMatchObject({ fps: 1, minScore: 0.35, heatmap: { cols: 32, rows: 24 }, ignore: [] });
    expect(cam.storeFrames).toBeUndefined();
    expect(cam.source).toEqual({ kind: 'rtsp', url: 'rtsp://cam/1', transport: 'tcp' });
  });

  it('names each bad field', () => {
    expect(
      fields(() =>
        parseLobbyConfig({
          cameras: [
            {
              id: 'Cam 1',
              source: { kind: 'rtsp', url: 'http://x' },
              fps: 0,
              zones: [
                {
                  ...zone,
                  polygon: [
                    [0, 0],
                    [2, 0],
                  ],
                },
                { ...zone, kind: 'lounge' },
              ],
            },
          ],
        }),
      ),
    ).toEqual(
      expect.arrayContaining([
        'cameras.0.id',
        'cameras.0.source.url',
        'cameras.0.fps',
        'cameras.0.zones.0.polygon',
        'cameras.0.zones.0.polygon.1.0',
        'cameras.0.zones.1.kind',
      ]),
    );
    expect(
      fields(() =>
        parseLobbyConfig({
          cameras: [{ id: 'a', source: { kind: 'file', path: 'x' }, zones: [zone, zone] }],
        }),
      ),
    ).toEqual(['cameras.0.zones.1.id']);
  });

  it('reads YAML and resolves relative paths against the file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lobby-cfg-'));
    const file = path.join(dir, 'lobby.yaml');
    writeFileSync(
      file,
      'cameras:\n  - id: demo\n    source: { kind: file, path: clips/lobby.mp4, loop: true }\n    storeFrames: { dir: frames }\n',
    );
    const cam = loadLobbyConfigFile(file).cameras[0]!;
    expect(cam.source).toMatchObject({
      path: path.join(dir, 'clips/lobby.mp4'),
      loop: true,
      realtime: false,
    });
    expect(cam.storeFrames).toEqual({ dir: path.join(dir, 'frames'), everyS: 60 });
  });

  it('never shows RTSP passwords', () => {
    expect(redactUrl('rtsp://admin:hunter2@10.0.0.5/stream1 failed')).toBe(
      'rtsp://admin:***@10.0.0.5/stream1 failed',
    );
  });
});

describe('FrameSource helpers', () => {
  it('asks ffmpeg for low-rate RGB at the detector size', () => {
    const args = ffmpegArgs({
      source: { kind: 'rtsp', url: 'rtsp://c/1', transport: 'tcp' },
      fps: 2,
      width: 512,
      height: 512,
    });
    expect(args).toEqual(
      expect.arrayContaining([
        '-rtsp_transport',
        'tcp',
        '-i',
        'rtsp://c/1',
        '-vf',
        'fps=2,scale=512:512:flags=bilinear',
        '-pix_fmt',
        'rgb24',
        'pipe:1',
      ]),
    );
    expect(
      ffmpegArgs({
        source: { kind: 'file', path: 'a.mp4', realtime: true, loop: true },
        fps: 1,
        width: 8,
        height: 8,
      }).slice(4, 9),
    ).toEqual(['-re', '-stream_loop', '-1', '-i', 'a.mp4']);
  });

  it('splits a byte stream into whole frames whatever the chunking', async () => {
    async function* chunks() {
      yield Buffer.from([1, 2]);
      yield Buffer.from([3, 4, 5, 6, 7]);
      yield Buffer.from([8, 9]);
    }
    const frames: number[][] = [];
    for await (const f of readFrames(chunks(), 3)) frames.push([...f]);
    expect(frames).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
  });
});
