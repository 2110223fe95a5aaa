// Audio/video sync over a 30-minute call. A synthetic participant flashes its
// picture and beeps at the same instants every 10 s; 30 minutes of it are sent
// through the real SFU 60× faster than real time (RTP timestamps follow media
// time, as they would live), recorded in 10-second segments, and rendered back
// from the archive as composite clips at the start and at the end of the call.
// In both, each beep must start within 100 ms of its flash, and the offset must
// not move between the first and the last minute.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createLogger } from '#common/logger';
import { FfmpegRenderer } from '../../edge-node/src/recording/Renderer.ts';
import { artifactPath } from '../helpers/artifacts.ts';
import {
  beepOnsets,
  decrypted,
  recordersLive,
  flashOnsets,
  joinWithMedia,
  startEdgeAt,
  startSender,
  syncMarkedMedia,
  tempDir,
  withEnv,
  type MediaParticipant,
} from './recording-support.ts';

const CALL_S = 1800;
const SPEED = 60;

/** beep − flash for each flash that has a beep within a second of it. */
function offsets(flashes: number[], beeps: number[]): number[] {
  return flashes.flatMap((f) => {
    const b = beeps.find((x) => Math.abs(x - f) < 1);
    return b === undefined ? [] : [b - f];
  });
}

describe('audio/video sync over a long call', () => {
  const dir = tempDir('drift');
  const restoreEnv = withEnv({ RECORDING_COMPOSITE: '0', ARCHIVE_MIN_FREE_BYTES: '0' });
  let stop: (() => Promise<void>) | undefined;
  let participant: MediaParticipant | undefined;

  afterAll(async () => {
    participant?.client.close();
    await stop?.();
    restoreEnv();
    rmSync(dir, { recursive: true, force: true });
  });

  test(
    `drift stays under 100 ms over ${CALL_S / 60} minutes (sent ${SPEED}× faster than real time)`,
    { timeout: 240_000 },
    async () => {
      const media = await syncMarkedMedia(CALL_S);
      const edge = await startEdgeAt(dir, {});
      stop = () => edge.stop();
      const callId = 'call-drift';
      participant = await joinWithMedia(edge, callId, 'cust-drift', 'customer');
      await recordersLive(edge, callId, 2);
      const sender = startSender(participant, { durationS: CALL_S, speed: SPEED, input: media });
      expect(await sender.done).toBe(0);
      edge.edge.calls.endCall(callId, 'test over');
      await edge.edge.archive.recording!.settled();
      const record = edge.edge.archive.archive.store.get(callId)!;

      // every second of both tracks is in the archive, in 10-second segments
      const tracks = FfmpegRenderer.tracksOf(record);
      expect(tracks.map((t) => t.kind).sort()).toEqual(['audio', 'video']);
      for (const t of tracks) {
        const covered = t.segments.reduce((s, x) => s + (x.endS - x.startS), 0);
        expect(covered, `${t.kind} seconds recorded`).toBeGreaterThan(CALL_S - 15);
        expect(t.segments.length).toBeGreaterThan(CALL_S / 10 - 5);
      }

      // composite clips rendered from the archive, like the officer's player sees them
      const renderer = new FfmpegRenderer(
        {
          ffmpeg: 'ffmpeg',
          spoolDir: path.join(dir, 'render'),
          tile: { width: 160, height: 120 },
          fps: 30,
          preset: 'ultrafast',
          fontFile: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
        },
        createLogger('drift-test', { level: 'warn' }),
      );
      const video = tracks.find((t) => t.kind === 'video')!;
      const measure = async (fromS: number, name: string) => {
        const stored = await renderer.clip(
          record,
          fromS * 1000,
          (fromS + 32) * 1000,
          `artifacts/clips/${name}.mp4.bea`,
        );
        const file = await decrypted(record, stored!.file, dir);
        const o = offsets(await flashOnsets(file), await beepOnsets(file));
        return o;
      };
      const first = await measure(video.startS + 2, 'drift-start');
      const last = await measure(video.startS + CALL_S - 40, 'drift-end');
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const report = {
        startOffsetsMs: first.map((x) => Math.round(x * 1000)),
        endOffsetsMs: last.map((x) => Math.round(x * 1000)),
        driftMs: Math.round((mean(last) - mean(first)) * 1000),
      };
      const { writeFileSync } = await import('node:fs');
      writeFileSync(artifactPath('recording-drift.json'), JSON.stringify(report, null, 2));

      expect(first.length).toBeGreaterThanOrEqual(2);
      expect(last.length).toBeGreaterThanOrEqual(2);
      for (const o of [...first, ...last])
        expect(Math.abs(o), `beep−flash ${Math.round(o * 1000)} ms`).toBeLessThanOrEqual(0.1);
      expect(
        Math.abs(mean(last) - mean(first)),
        'drift between the first and the last minute',
      ).toBeLessThanOrEqual(0.1);
    },
  );
});
