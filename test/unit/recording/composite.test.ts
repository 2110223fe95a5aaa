import { describe, expect, test } from 'vitest';
import { buildComposite, type CompositeTrack } from '../../../edge-node/src/recording/composite.ts';

const spec = {
  callId: 'call-1',
  callStartedAt: 1_700_000_000_000,
  fromS: 0,
  toS: 60,
  tile: { width: 320, height: 180 },
  fps: 15,
  preset: 'veryfast',
  output: '/spool/out.mp4',
  workDir: '/spool',
};
const segs = (starts: number[], len = 10) =>
  starts.map((s, i) => ({ path: `/spool/s${i}.webm`, startS: s, endS: s + len }));

describe('composite command', () => {
  const tracks: CompositeTrack[] = [
    {
      track: 'e-v',
      participantId: 'e',
      role: 'expert',
      kind: 'video',
      source: 'camera',
      startS: 2.5,
      segments: segs([0, 10.04, 20.1]),
    },
    {
      track: 'c-v',
      participantId: 'c',
      role: 'customer',
      kind: 'video',
      source: 'camera',
      startS: 1,
      segments: segs([0, 10]),
    },
    {
      track: 'c-a',
      participantId: 'c',
      role: 'customer',
      kind: 'audio',
      source: 'mic',
      startS: 1.02,
      segments: segs([0, 10, 20]),
    },
  ];

  test('each segment is placed by its own media time, so nothing accumulates over many segments', () => {
    const plan = buildComposite(spec, tracks);
    const list = plan.files.find((f) => f.path === '/spool/input-0.ffconcat')!.content;
    expect(list.match(/duration [\d.]+/g)).toEqual(['duration 10.040000', 'duration 10.060000']);
  });

  test('tiles follow roles (customer first) and every track is shifted to its place in the window', () => {
    const plan = buildComposite(spec, tracks);
    expect(plan.slots.map((s) => s.role)).toEqual(['customer', 'expert']);
    const graph = plan.args[plan.args.indexOf('-filter_complex') + 1]!;
    expect(graph).toContain('[0:v]setpts=PTS-STARTPTS+2.500000/TB');
    expect(graph).toContain('overlay=x=320:y=0'); // the expert's tile is second
    expect(graph).toContain('[2:a]asetpts=PTS-STARTPTS,aresample=48000:async=1,adelay=1020:all=1');
    expect(graph).toContain('color=c=black:s=640x208');
  });

  test('a clip window trims what started before it and keeps only overlapping segments', () => {
    const plan = buildComposite({ ...spec, fromS: 15, toS: 25 }, tracks);
    const graph = plan.args[plan.args.indexOf('-filter_complex') + 1]!;
    // expert video: its first overlapping segment starts at 2.5 + 10.04 = 12.54 → trimmed by 2.46 s
    expect(graph).toContain('trim=start=2.460000,setpts=PTS-STARTPTS');
    expect(plan.args).toContain('10.000');
    const stamp = plan.files.find((f) => f.path.endsWith('stamp.txt'))!.content;
    expect(stamp).toBe('call call-1   %{pts:gmtime:1700000015.000:%Y-%m-%d %H\\:%M\\:%S} UTC');
  });

  test('a call with no audio still gets a silent track', () => {
    const plan = buildComposite(
      spec,
      tracks.filter((t) => t.kind === 'video'),
    );
    expect(plan.args[plan.args.indexOf('-filter_complex') + 1]).toContain('anullsrc');
  });
});
