// Pure parts of the live frame sampler: which producers become which camera,
// the drop decision, the restart back-off, ffmpeg's JPEG stream split into images.
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { Backoff } from '../../../edge-node/src/live/frames/Backoff.ts';
import { cameraId } from '../../../edge-node/src/live/frames/cameras.ts';
import { samplerArgs } from '../../../edge-node/src/live/frames/ffmpeg-args.ts';
import { InFlightGate } from '../../../edge-node/src/live/frames/InFlightGate.ts';
import { JpegSplitter } from '../../../edge-node/src/live/frames/jpeg-splitter.ts';
import { SampleSlots } from '../../../edge-node/src/live/frames/SampleSlots.ts';

async function jpeg(seed: number, width = 64, height = 36): Promise<Buffer> {
  // Noise makes an entropy-coded scan full of 0xFF bytes (stuffed as FF 00).
  const raw = Buffer.alloc(width * height * 3);
  let x = seed;
  for (let i = 0; i < raw.length; i++) raw[i] = (x = (x * 1103515245 + 12345) & 0x7fffffff) >> 16;
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 95 })
    .toBuffer();
}

describe('camera ids', () => {
  test('a participant’s camera is named after their role; screen shares and the observer are not sampled', () => {
    expect(cameraId('manager', 'camera')).toBe('manager');
    expect(cameraId('customer', 'camera')).toBe('customer');
    expect(cameraId('expert', 'camera')).toBe('expert');
    expect(cameraId('manager', 'screen')).toBeUndefined();
    expect(cameraId('observer', 'camera')).toBeUndefined();
    expect(cameraId('customer', 'mic')).toBeUndefined();
  });
});

describe('InFlightGate', () => {
  test('a camera is busy from the moment its frame enters analysis until it leaves', () => {
    const gate = new InFlightGate();
    gate.enter('cam-a');
    expect(gate.busy('cam-a')).toBe(true);
    expect(gate.busy('cam-b')).toBe(false);
    gate.leave('cam-a');
    expect(gate.busy('cam-a')).toBe(false);
  });
});

describe('SampleSlots', () => {
  test('each camera gets the first frame of every period of the call clock, however its frames drift', () => {
    const slots = new SampleSlots(2000);
    const taken: number[] = [];
    // ffmpeg's frames every ~0.55 s, drifting against the call clock.
    for (let t = 130; t < 20_000; t += 550) if (slots.offer('cam', t, false) === 'take') taken.push(t);
    expect(taken.map((t) => Math.floor(t / 2000))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(taken.every((t) => t % 2000 < 600)).toBe(true);
    expect(slots.dropped('cam')).toBe(0);
  });

  test('a frame that finds its camera busy leaves the period open for the next one; a period lost that way is one drop', () => {
    const slots = new SampleSlots(2000);
    expect(slots.offer('cam', 100, false)).toBe('take');
    expect(slots.offer('cam', 1500, true)).toBe('skip'); // same period: neither analysed nor a drop
    expect(slots.offer('cam', 2100, true)).toBe('busy');
    expect(slots.offer('cam', 2650, false)).toBe('take'); // still period 1: it gets its sample
    expect(slots.dropped('cam')).toBe(0);
    // Busy through the whole of period 2 (three frames), free again in period 3.
    expect([4100, 4600, 5200].map((t) => slots.offer('cam', t, true))).toEqual(['busy', 'busy', 'busy']);
    expect(slots.offer('cam', 6050, false)).toBe('take');
    expect(slots.dropped('cam')).toBe(1);
    // The dropped period is reported once, by its start on the call clock.
    expect(slots.takeDropped('cam')).toEqual([4000]);
    expect(slots.takeDropped('cam')).toEqual([]);
    expect(slots.offer('other', 6050, false)).toBe('take');
    expect(slots.dropped('other')).toBe(0);
  });
});

describe('Backoff', () => {
  test('doubles up to the maximum and starts again after a reset', () => {
    const b = new Backoff(500, 3000);
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([500, 1000, 2000, 3000, 3000]);
    b.reset();
    expect(b.next()).toBe(500);
  });
});

describe('sampler ffmpeg', () => {
  test('reads the SDP from stdin, keeps four frames per sample period without repeating any, writes JPEGs to stdout', () => {
    const args = samplerArgs({ sampleMs: 2000, inputTimeoutS: 10 });
    expect(args.slice(args.indexOf('-i'), args.indexOf('-i') + 2)).toEqual(['-i', 'pipe:0']);
    expect(args[args.indexOf('-listen_timeout') + 1]).toBe('10');
    expect(args[args.indexOf('-vf') + 1]).toContain('gte(t-prev_selected_t\\,0.500)');
    expect(args[args.indexOf('-fps_mode') + 1]).toBe('vfr');
    expect(args.slice(-3)).toEqual(['-f', 'image2pipe', 'pipe:1']);
  });
});

describe('JpegSplitter', () => {
  test('splits back-to-back JPEGs however the pipe chunks them', async () => {
    const images = [await jpeg(1), await jpeg(2, 80, 45), await jpeg(3)];
    const stream = Buffer.concat(images);
    for (const chunk of [1, 7, 333, 4096, stream.length]) {
      const splitter = new JpegSplitter();
      const out: Buffer[] = [];
      for (let i = 0; i < stream.length; i += chunk)
        out.push(...splitter.push(stream.subarray(i, i + chunk)));
      expect(out.map((b) => b.length)).toEqual(images.map((b) => b.length));
      expect(out.every((b, i) => b.equals(images[i]!))).toBe(true);
      expect(splitter.pending).toBe(0);
    }
    const meta = await sharp((await new JpegSplitter().push(stream))[1]).metadata();
    expect([meta.width, meta.height]).toEqual([80, 45]);
  });

  test('holds an incomplete image until the rest arrives', async () => {
    const image = await jpeg(4);
    const splitter = new JpegSplitter();
    expect(splitter.push(image.subarray(0, image.length - 1))).toEqual([]);
    expect(splitter.push(image.subarray(image.length - 1))).toHaveLength(1);
  });

  test('skips bytes before an image and an image with broken headers, and carries on', async () => {
    const good = await jpeg(5);
    const broken = Buffer.from(good);
    broken[2] = 0x12; // no marker where the first header should start
    const out = new JpegSplitter();
    const images = out.push(Buffer.concat([Buffer.from('junk'), broken.subarray(0, 40), good]));
    expect(images).toHaveLength(1);
    expect(images[0]!.equals(good)).toBe(true);
    expect(out.damaged).toBe(1);
  });
});
