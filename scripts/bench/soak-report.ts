// What the soak benchmark makes of its windows: one table row per window and a
// summary — memory growth by least-squares fit over time after the warm-up
// (a leak is a slope, not a single high reading), mean CPU, loss over the whole
// run, and transcript latency drift between the first and last minutes.
import { percentile } from '../../edge-node/src/transcription/eval/liveRun.ts';

export interface SoakWindow {
  /** Seconds since the load started, at the end of the window. */
  t: number;
  windowS: number;
  loadavg: number[];
  edge: { rssMb: number; heapUsedMb: number; externalMb: number; cpuPct: number };
  /** Per mediasoup worker of the edge. */
  workers: Array<{ pid: number; rssMb: number; cpuPct: number }>;
  recorders: { count: number; live: number; rssMb: number; cpuPct: number; segments: number };
  /** Live frame sampling: its ffmpegs (one per camera); decoded/analysed/dropped/crashes are cumulative. */
  frames: {
    cameras: number;
    cpuPct: number;
    rssMb: number;
    decoded: number;
    analysed: number;
    dropped: number;
    crashes: number;
  };
  /** The benchmark's own load: generator (publishers) and client worker (receivers). */
  load: { generatorCpuPct: number; clientWorkerCpuPct: number; generatorMaxLateMs: number };
  receivers: { streams: number; received: number; lost: number; lossPct: number; stalled: number };
  transcript: {
    /** Sentences whose speech ended in the window (what should become finals). */
    sentences: number;
    finals: number;
    /** Finals that matched a sentence (first final per sentence). */
    matched: number;
    p50Ms: number;
    p95Ms: number;
    maxMs: number;
    latenciesMs: number[];
    overCapacityEvents: number;
    queuedFinals: number;
    droppedFinals: number;
    /** Recognitions the engine ran in the window, and its busy time (worker ms per wall ms, %). */
    recognitions?: { finals: number; partials: number; speculationsWithdrawn: number; engineBusyPct: number };
  };
}

const r1 = (x: number) => Math.round(x * 10) / 10;

/** Least-squares slope and intercept of y over x. */
export function linearFit(xs: number[], ys: number[]): { slope: number; intercept: number; r2: number } {
  const n = xs.length;
  if (n < 2) return { slope: NaN, intercept: NaN, r2: NaN };
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  const slope = sxx ? sxy / sxx : NaN;
  return { slope, intercept: my - slope * mx, r2: sxx && syy ? (sxy * sxy) / (sxx * syy) : NaN };
}

export function row(w: SoakWindow): Record<string, string | number> {
  const workers = w.workers.reduce((a, x) => ({ rss: a.rss + x.rssMb, cpu: a.cpu + x.cpuPct }), {
    rss: 0,
    cpu: 0,
  });
  return {
    't min': r1(w.t / 60),
    load1: r1(w.loadavg[0]!),
    'edge RSS MB': w.edge.rssMb,
    'heap MB': w.edge.heapUsedMb,
    'edge CPU %': Math.round(w.edge.cpuPct),
    'workers RSS MB': workers.rss,
    'workers CPU %': Math.round(workers.cpu),
    'rec. ffmpeg CPU %': Math.round(w.recorders.cpuPct),
    'frame ffmpeg CPU %': Math.round(w.frames.cpuPct),
    'frames analysed': w.frames.analysed,
    'loss %': Number(w.receivers.lossPct.toFixed(3)),
    'finals/sent.': `${w.transcript.matched}/${w.transcript.sentences}`,
    'p50 ms': Number.isNaN(w.transcript.p50Ms) ? '-' : Math.round(w.transcript.p50Ms),
    'p95 ms': Number.isNaN(w.transcript.p95Ms) ? '-' : Math.round(w.transcript.p95Ms),
    'over cap.': w.transcript.overCapacityEvents,
    // Older result files have no recognition counts.
    'engine busy %': w.transcript.recognitions ? Math.round(w.transcript.recognitions.engineBusyPct) : '-',
    'partials/finals': w.transcript.recognitions
      ? `${w.transcript.recognitions.partials}/${w.transcript.recognitions.finals}`
      : '-',
    segments: w.recorders.segments,
  };
}

/** Progress line printed as each window closes. */
export function progressLine(w: SoakWindow, totalS: number): string {
  const r = row(w);
  return (
    `[soak ${r['t min']}/${r1(totalS / 60)} min] load ${r.load1} | edge ${r['edge RSS MB']} MB (heap ${r['heap MB']}) ${r['edge CPU %']} % | ` +
    `workers ${r['workers RSS MB']} MB ${r['workers CPU %']} % | ffmpeg rec ${r['rec. ffmpeg CPU %']} % frames ${r['frame ffmpeg CPU %']} % (${r['frames analysed']} analysed) | loss ${r['loss %']} % | ` +
    `finals ${r['finals/sent.']} p50 ${r['p50 ms']} p95 ${r['p95 ms']} ms | engine busy ${r['engine busy %']} % (partials/finals ${r['partials/finals']}) | ` +
    `over-capacity ${r['over cap.']} | segments ${r.segments}`
  );
}

export interface SoakSummary {
  windows: number;
  warmupS: number;
  /** MB per hour, least squares over the windows after the warm-up. */
  growthMbPerHour: {
    edgeRss: number;
    edgeHeap: number;
    workersRss: number;
    recordersRss: number;
    frameSamplersRss: number;
    r2EdgeRss: number;
  };
  cpuMeanPct: {
    edge: number;
    workers: number;
    recorders: number;
    frameSamplers: number;
    generator: number;
    clientWorker: number;
  };
  frames: { analysed: number; dropped: number; crashes: number };
  loss: {
    lostPackets: number;
    receivedPackets: number;
    percent: number;
    worstWindowPct: number;
    stalledStreamWindows: number;
  };
  transcript: {
    sentences: number;
    matchedFinals: number;
    p50Ms: number;
    p95Ms: number;
    first: { minutes: number; p50Ms: number; p95Ms: number; finals: number };
    last: { minutes: number; p50Ms: number; p95Ms: number; finals: number };
    overCapacityEvents: number;
    droppedFinals: number;
  };
  recordingSegments: number;
  loadavgMean: number;
}

export function summarize(windows: SoakWindow[], warmupS: number, driftS: number): SoakSummary {
  const after = windows.filter((w) => w.t > warmupS);
  const fitOn = after.length >= 3 ? after : windows;
  const hours = fitOn.map((w) => w.t / 3600);
  const slope = (f: (w: SoakWindow) => number) => r1(linearFit(hours, fitOn.map(f)).slope);
  const mean = (f: (w: SoakWindow) => number) =>
    r1(windows.reduce((a, w) => a + f(w), 0) / Math.max(1, windows.length));
  const sum = (f: (w: SoakWindow) => number) => windows.reduce((a, w) => a + f(w), 0);
  const workersRss = (w: SoakWindow) => w.workers.reduce((a, x) => a + x.rssMb, 0);
  const end = windows.at(-1)?.t ?? 0;
  const span = (from: number, to: number) => {
    const ws = windows.filter((w) => w.t > from && w.t <= to);
    const l = ws.flatMap((w) => w.transcript.latenciesMs);
    return {
      minutes: r1((to - from) / 60),
      p50Ms: Math.round(percentile(l, 50)),
      p95Ms: Math.round(percentile(l, 95)),
      finals: l.length,
    };
  };
  const all = windows.flatMap((w) => w.transcript.latenciesMs);
  const lost = sum((w) => w.receivers.lost);
  const received = sum((w) => w.receivers.received);
  return {
    windows: windows.length,
    warmupS,
    growthMbPerHour: {
      edgeRss: slope((w) => w.edge.rssMb),
      edgeHeap: slope((w) => w.edge.heapUsedMb),
      workersRss: slope(workersRss),
      recordersRss: slope((w) => w.recorders.rssMb),
      frameSamplersRss: slope((w) => w.frames.rssMb),
      r2EdgeRss:
        Math.round(
          linearFit(
            hours,
            fitOn.map((w) => w.edge.rssMb),
          ).r2 * 100,
        ) / 100,
    },
    cpuMeanPct: {
      edge: mean((w) => w.edge.cpuPct),
      workers: mean((w) => w.workers.reduce((a, x) => a + x.cpuPct, 0)),
      recorders: mean((w) => w.recorders.cpuPct),
      frameSamplers: mean((w) => w.frames.cpuPct),
      generator: mean((w) => w.load.generatorCpuPct),
      clientWorker: mean((w) => w.load.clientWorkerCpuPct),
    },
    loss: {
      lostPackets: lost,
      receivedPackets: received,
      percent: received + lost ? Number(((100 * lost) / (received + lost)).toFixed(4)) : 0,
      worstWindowPct: Number(Math.max(0, ...windows.map((w) => w.receivers.lossPct)).toFixed(3)),
      stalledStreamWindows: sum((w) => w.receivers.stalled),
    },
    transcript: {
      sentences: sum((w) => w.transcript.sentences),
      matchedFinals: all.length,
      p50Ms: Math.round(percentile(all, 50)),
      p95Ms: Math.round(percentile(all, 95)),
      first: span(0, Math.min(driftS, end)),
      last: span(Math.max(0, end - driftS), end),
      overCapacityEvents: sum((w) => w.transcript.overCapacityEvents),
      droppedFinals: windows.at(-1)?.transcript.droppedFinals ?? 0,
    },
    frames: {
      analysed: windows.at(-1)?.frames.analysed ?? 0,
      dropped: windows.at(-1)?.frames.dropped ?? 0,
      crashes: windows.at(-1)?.frames.crashes ?? 0,
    },
    recordingSegments: windows.at(-1)?.recorders.segments ?? 0,
    loadavgMean: mean((w) => w.loadavg[0]!),
  };
}
