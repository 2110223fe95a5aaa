// Drives the live pipeline the way calls do, for benchmarks: Opus RTP made
// once by ffmpeg, replayed at its real 20 ms pace for N simultaneous speakers
// (staggered), through TranscriptionService.attach. Measures what a speaker
// sees: end of utterance → final segment, partial cadence, drops, capacity.
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { TranscriptSegment } from '#protocol/events';
import { parseRtp } from '../stream/rtp.ts';
import { UdpRtpSource, ffmpegOpusRtpArgs } from '../stream/UdpRtpSource.ts';
import type { TranscriptionService } from '../TranscriptionService.ts';
import type { RenderedUtterance } from './renderSpeech.ts';

/** The Opus RTP packets ffmpeg makes of a WAV (encoded as fast as it can, then ordered). */
export async function encodeOpusPackets(wav: string): Promise<Buffer[]> {
  const source = await UdpRtpSource.open();
  const packets: Buffer[] = [];
  source.on('rtp', (p) => packets.push(p));
  const ff = spawn('ffmpeg', ffmpegOpusRtpArgs(wav, source.port, { realtime: false }), { stdio: 'ignore' });
  await new Promise((r) => ff.on('close', r));
  await new Promise((r) => setTimeout(r, 200));
  source.close();
  return packets.sort((a, b) => parseRtp(a)!.sequenceNumber - parseRtp(b)!.sequenceNumber);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface LiveResult {
  speakers: number;
  expectedFinals: number;
  finals: number;
  /** End of speech (true, from the rendering) → final segment emitted, ms. */
  latenciesMs: number[];
  /** Wall ms between successive partials of an utterance (and from its start to the first). */
  partialIntervalsMs: number[];
  droppedFinals: number;
  /** Speculative finals started, withdrawn (speech went on), and the worker time the withdrawn ones ran. */
  speculations: number;
  speculationsWithdrawn: number;
  wastedMs: number;
  overCapacity: boolean;
  maxQueuedFinals: number;
  peakRssMb: number;
  segments: TranscriptSegment[];
}

/**
 * Replays `packets` (the rendering of `utterances`) as `speakers` simultaneous
 * speakers, speaker i starting i × `staggerMs` later, and waits for every final.
 */
export async function runLiveSpeakers(
  service: TranscriptionService,
  packets: Buffer[],
  utterances: RenderedUtterance[],
  opts: { speakers: number; staggerMs?: number; callId?: string },
): Promise<LiveResult> {
  const { speakers, staggerMs = 1370 } = opts;
  const callId = opts.callId ?? `bench-${speakers}-${Date.now()}`;
  const callStartMs = Date.now();
  const t0 = performance.now();
  const sources = Array.from({ length: speakers }, () => new EventEmitter<{ rtp: [Buffer]; close: [] }>());
  const segments: { s: TranscriptSegment; atMs: number }[] = [];
  let overCapacity = false;
  let maxQueued = 0;
  let peakRss = 0;
  const onSegment = (s: TranscriptSegment) => {
    if (s.callId === callId) segments.push({ s, atMs: performance.now() - t0 });
  };
  const onCapacity = (r: { overCapacity: boolean }) => (overCapacity ||= r.overCapacity);
  service.on('segment', onSegment);
  service.on('capacity', onCapacity);
  const before = { ...service.scheduler.stats };
  const handles = await Promise.all(
    sources.map((src, i) =>
      service.attach(
        {
          callId,
          role: i % 2 ? 'customer' : 'manager',
          participantId: `p${i}`,
          callStartMs,
          payloadType: 111,
        },
        src,
      ),
    ),
  );
  // One pacing loop for all speakers: packet k of speaker i is due at i×stagger + 20k ms.
  const sent = new Array<number>(speakers).fill(0);
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now() - t0;
      let done = true;
      for (let i = 0; i < speakers; i++) {
        while (sent[i]! < packets.length && i * staggerMs + sent[i]! * 20 <= now)
          sources[i]!.emit('rtp', packets[sent[i]!++]!);
        if (sent[i]! < packets.length) done = false;
      }
      const q = service.scheduler.report().queuedFinals;
      maxQueued = Math.max(maxQueued, q);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      if (done) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  await Promise.all(handles.map((h) => h.detach()));
  service.off('segment', onSegment);
  service.off('capacity', onCapacity);

  const stats = service.scheduler.stats;
  const latencies: number[] = [];
  const partialIntervals: number[] = [];
  let finals = 0;
  for (let i = 0; i < speakers; i++) {
    const mine = segments.filter((x) => x.s.participantId === `p${i}`);
    const origin = i * staggerMs;
    for (const u of utterances) {
      const start = origin + u.startMs;
      const end = origin + u.endMs;
      const overlaps = (x: { s: TranscriptSegment }) => x.s.startMs < end && x.s.endMs > start;
      const final = mine.find((x) => x.s.final && overlaps(x));
      if (!final) continue;
      finals++;
      // Call-clock ms ≈ ms since t0 (the first packet is sent at t0): end of speech → final emitted.
      latencies.push(final.atMs - end);
      const partials = mine.filter((x) => !x.s.final && x.s.utteranceId === final.s.utteranceId);
      let prev = start;
      for (const p of partials) {
        partialIntervals.push(p.atMs - prev);
        prev = p.atMs;
      }
    }
  }
  return {
    speakers,
    expectedFinals: speakers * utterances.length,
    finals,
    latenciesMs: latencies,
    partialIntervalsMs: partialIntervals,
    droppedFinals: stats.droppedFinals - before.droppedFinals,
    speculations: stats.speculations - before.speculations,
    speculationsWithdrawn:
      stats.speculationsCancelled +
      stats.speculationsWasted -
      before.speculationsCancelled -
      before.speculationsWasted,
    wastedMs: Math.round(stats.wastedMs - before.wastedMs),
    overCapacity,
    maxQueuedFinals: maxQueued,
    peakRssMb: Math.round(peakRss / 1e6),
    segments: segments.map((x) => x.s),
  };
}
