// The live frame sampler against a real edge (mediasoup worker, ffmpeg, the
// analysis thread): a manager's camera published as VP8 RTP by ffmpeg through
// the edge's own signaling is sampled about once a period; its sampler ffmpeg
// killed mid-call is replaced and sampling goes on; a paused camera is not
// sampled until it resumes; /metrics counts what was analysed and restarted;
// the call's report has its frames.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Report } from '#protocol/report';
import { readArchivedArtifact, startTestEdge, type TestEdge } from '../helpers/edge.ts';
import { joinWithMedia, startSender, type MediaParticipant } from './recording-support.ts';

const CALL = 'call-frame-sampler';

describe('live frame sampler', () => {
  let edge: TestEdge;
  let manager: MediaParticipant;
  let sender: ReturnType<typeof startSender>;

  beforeAll(async () => {
    edge = await startTestEdge({ FRAME_SAMPLING_ENABLED: '1', FRAME_SAMPLE_MS: '1000' });
    manager = await joinWithMedia(edge, CALL, 'manager-f', 'manager', ['video']);
    sender = startSender(manager, { durationS: 120, size: '640x360' });
  });

  afterAll(async () => {
    sender?.kill('SIGKILL');
    manager?.client.close();
    await edge?.stop();
  });

  const camera = () => edge.edge.frames!.status().find((s) => s.callId === CALL)?.cameras[0];
  const metric = async (name: string) => {
    const text = await (await fetch(`${edge.url}/metrics`)).text();
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  };

  test('the camera is sampled on the call clock, its frames analysed off the main thread', async () => {
    await expect
      .poll(() => camera()?.analysed ?? 0, { timeout: 75_000, interval: 250 })
      .toBeGreaterThanOrEqual(3);
    const cam = camera()!;
    expect(cam.camera).toBe('manager');
    // ffmpeg decodes four frames per period; one per period becomes a sample.
    expect(cam.decoded).toBeGreaterThan(cam.analysed);
    expect(await metric('branchedge_frames_analysed_total')).toBeGreaterThanOrEqual(3);
    expect(await metric('branchedge_frame_sampler_cameras')).toBe(1);
  });

  test('a sampler ffmpeg that dies is replaced and sampling goes on', async () => {
    const before = camera()!;
    process.kill(before.pid!, 'SIGKILL');
    await expect.poll(() => camera()?.pid, { timeout: 15_000, interval: 100 }).not.toBe(before.pid);
    await expect.poll(() => camera()?.pid, { timeout: 15_000, interval: 100 }).toBeGreaterThan(0);
    await expect
      .poll(() => camera()!.analysed, { timeout: 75_000, interval: 250 })
      .toBeGreaterThanOrEqual(before.analysed + 3);
    expect(camera()!.crashes).toBe(1);
    expect(await metric('branchedge_frame_sampler_restarts_total')).toBe(1);
  });

  test('a paused camera is not sampled; sampling resumes with it, same ffmpeg (idle meanwhile)', async () => {
    const producerId = manager.video!.producerId;
    await manager.client.request('pauseProducer', { producerId });
    await new Promise((r) => setTimeout(r, 2500)); // a frame in flight lands
    const paused = camera()!;
    await new Promise((r) => setTimeout(r, 5000));
    expect(camera()!.analysed).toBe(paused.analysed);
    await manager.client.request('resumeProducer', { producerId });
    await expect
      .poll(() => camera()!.analysed, { timeout: 60_000, interval: 250 })
      .toBeGreaterThanOrEqual(paused.analysed + 2);
    // Not a crash, not a restart: mediasoup's RTCP keeps the idle ffmpeg within its input timeout.
    expect(camera()!).toMatchObject({ pid: paused.pid, crashes: paused.crashes });
  });

  test('the report at call end has the call’s frames (a test pattern: no face, so faces-present fails)', async () => {
    const pid = camera()!.pid!;
    edge.edge.calls.endCall(CALL, 'test over');
    await expect
      .poll(async () => (await readArchivedArtifact(edge, CALL, 'report')) !== undefined, { timeout: 15_000 })
      .toBe(true);
    const report = JSON.parse((await readArchivedArtifact(edge, CALL, 'report'))!.toString()) as Report;
    const faces = report.checks.find((c) => c.id === 'faces-present')!;
    expect(faces.status).toBe('fail');
    expect(faces.reason).toMatch(/visible in 0 of \d+ sampled instants/);
    expect(() => process.kill(pid, 0)).toThrow();
    // The call's state goes once its last analysis is done (the report waited for it at most 1.5 s).
    await expect.poll(() => edge.edge.frames!.status(), { timeout: 15_000 }).toEqual([]);
    expect(await metric('branchedge_frame_sampler_cameras')).toBe(0);
  });
});
