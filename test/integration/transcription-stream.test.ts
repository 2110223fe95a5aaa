// The RTP → PCM stage and the per-speaker transcriber on real Opus (ffmpeg's
// libopus) and the real Silero VAD: reordering, duplicates, loss bursts, a
// sender muted for an hour, and long silence without memory growth.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '#common/logger';
import { renderSpeech, type RenderedSpeech } from '../../edge-node/src/transcription/eval/renderSpeech.ts';
import {
  createSpeechEngine,
  RecognitionScheduler,
  RtpAudioStream,
  SileroVad,
  StreamTranscriber,
  UdpRtpSource,
  ffmpegOpusRtpArgs,
} from '../../edge-node/src/transcription/index.ts';
import { buildRtp, parseRtp } from '../../edge-node/src/transcription/stream/rtp.ts';
import type { SpeechEngine } from '../../edge-node/src/transcription/engine.ts';
import type { TranscriptSegment } from '#protocol/events';

const logger = createLogger('test', { level: 'warn' });

/** The Opus RTP packets ffmpeg makes of a WAV (not real time). */
async function opusPackets(wav: string): Promise<Buffer[]> {
  const source = await UdpRtpSource.open();
  const packets: Buffer[] = [];
  source.on('rtp', (p) => packets.push(p));
  const ff = spawn('ffmpeg', ffmpegOpusRtpArgs(wav, source.port, { realtime: false }), { stdio: 'ignore' });
  await new Promise((r) => ff.on('close', r));
  await new Promise((r) => setTimeout(r, 200));
  source.close();
  // UDP on loopback keeps order here, but sort to be sure: the tests reorder on purpose.
  return packets.sort((a, b) => parseRtp(a)!.sequenceNumber - parseRtp(b)!.sequenceNumber);
}

/** Feeds packets at a simulated 20 ms pace; returns total samples emitted and discontinuities. */
async function play(packets: Buffer[], order: (p: Buffer[]) => Buffer[] = (p) => p) {
  let now = 1_000_000;
  const stream = await RtpAudioStream.create({ callStartMs: now, payloadType: 111, now: () => now, logger });
  let samples = 0;
  let jumps = 0;
  let expected = 0;
  stream.on('pcm', (pcm, start) => {
    if (start !== expected) jumps++;
    expected = start + pcm.length;
    samples += pcm.length;
  });
  for (const p of order(packets)) {
    now += 20;
    stream.push(p);
  }
  now += 200;
  stream.close();
  return { samples, jumps, stats: stream.stats, position: stream.position };
}

let speech: RenderedSpeech;
let packets: Buffer[];

beforeAll(async () => {
  speech = await renderSpeech(['Good morning, I will explain the product to you.'], {
    leadMs: 300,
    tailMs: 300,
  });
  packets = await opusPackets(speech.path);
});
afterAll(() => speech?.cleanup());

describe('RtpAudioStream', () => {
  test('in-order Opus RTP decodes to exactly the stream’s duration at 16 kHz', async () => {
    const r = await play(packets);
    expect(r.samples).toBe(packets.length * 320);
    expect(r.jumps).toBe(0);
    expect(r.stats).toMatchObject({ lost: 0, late: 0, decodeErrors: 0 });
  });

  test('reordered and duplicated packets give the same audio length, with nothing lost', async () => {
    const shuffle = (p: Buffer[]) => {
      const out: Buffer[] = [];
      for (let i = 0; i < p.length; i += 3) out.push(...p.slice(i, i + 3).reverse());
      return out.flatMap((x, i) => (i % 10 === 0 ? [x, x] : [x]));
    };
    const r = await play(packets, shuffle);
    expect(r.samples).toBe(packets.length * 320);
    expect(r.stats.lost).toBe(0);
    expect(r.stats.reordered).toBeGreaterThan(packets.length / 2);
    expect(r.stats.duplicates).toBeGreaterThan(5);
  });

  test('loss bursts are concealed (PLC) and the timeline stays aligned', async () => {
    const lossy = (p: Buffer[]) => p.filter((_, i) => !(i % 25 >= 10 && i % 25 < 15)); // 5-packet bursts, 20%
    const r = await play(packets, lossy);
    const dropped = packets.length - lossy(packets).length;
    expect(r.stats.lost).toBe(dropped - tailLoss(packets.length));
    expect(r.stats.concealedMs).toBeGreaterThanOrEqual(r.stats.lost * 20 - 1);
    // Every lost 20 ms is filled: the output is as long as the input stream (up to a lost tail).
    expect(r.samples).toBe((packets.length - tailLoss(packets.length)) * 320);
    expect(r.jumps).toBe(0);
  });

  test('a sender muted for an hour costs nothing: the timeline jumps instead of filling an hour', async () => {
    const ssrc = 0x1234;
    const first = packets.slice(0, 50).map((p) => parseRtp(p)!);
    const hourTicks = 48_000 * 3600;
    const resumed = first.map((p, i) =>
      buildRtp({
        ...p,
        ssrc,
        sequenceNumber: (p.sequenceNumber + 50) & 0xffff,
        timestamp: (p.timestamp + hourTicks + i) >>> 0,
        payload: p.payload,
      }),
    );
    const before = process.memoryUsage().arrayBuffers;
    const r = await play([...packets.slice(0, 50), ...resumed]);
    expect(r.jumps).toBe(1);
    expect(r.position).toBeGreaterThan(16_000 * 3600);
    // Samples actually produced: the audio plus one idle fill, not an hour.
    expect(r.samples).toBeLessThan(16_000 * 10);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(50 * 1024 * 1024);
  });
});

function tailLoss(n: number): number {
  // Packets dropped at the very end have no later packet to reveal their loss.
  const lastKept = [...Array(n).keys()].filter((i) => !(i % 25 >= 10 && i % 25 < 15)).at(-1)!;
  return n - 1 - lastKept;
}

describe('StreamTranscriber', () => {
  let vad: SileroVad;
  let engine: SpeechEngine;
  beforeAll(async () => {
    vad = await SileroVad.load();
    engine = await createSpeechEngine({ engine: 'pocketsphinx', logger });
  });
  afterAll(async () => {
    await vad?.close();
    await engine?.close();
  });

  test('minutes of low noise produce no segments and hold no growing audio', async () => {
    const scheduler = new RecognitionScheduler(engine, logger);
    const t = new StreamTranscriber({
      meta: { callId: 'c', role: 'customer', participantId: 'p' },
      vad,
      scheduler,
      logger,
    });
    const segments: TranscriptSegment[] = [];
    t.on('segment', (s) => segments.push(s));
    const chunk = new Float32Array(16_000);
    let seed = 1;
    let maxHeld = 0;
    const heapBefore = process.memoryUsage().heapUsed;
    // 3 minutes of faint noise (-60 dBFS) in 1 s chunks, as the decoder would deliver it.
    for (let s = 0; s < 180; s++) {
      for (let i = 0; i < chunk.length; i++)
        chunk[i] = ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.002;
      t.push(chunk, s * 16_000, 0);
      if (s % 10 === 9) {
        await t.idle();
        maxHeld = Math.max(maxHeld, t.heldSamples);
      }
    }
    await t.end();
    expect(segments).toHaveLength(0);
    expect(maxHeld).toBeLessThan(16_000); // pre-roll only, well under a second
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(30 * 1024 * 1024);
    scheduler.close();
  });
});
