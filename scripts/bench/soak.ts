// npm run bench:soak [-- --minutes 30] [--calls 2] [--engine pocketsphinx|whisper] [--interval 30]
//                        [--warmup 5] [--workers N] [--no-frames] [--out bench-results/soak.json]   (SOAK_DEBUG=1: per-recognition log)
// A long run of the busiest load the edge is rated for on this machine: N
// three-party calls through a real edge (in this process, its own mediasoup
// workers), every participant publishing simulcast VP8 and Opus carrying their
// spoken turns of a banking conversation, with live transcription, the
// compliance engine and recording (ffmpeg per track, encrypted archive) on.
// Every window (default 30 s) it samples the edge's memory and CPU, the workers',
// the recorders', receiver loss, transcript final latency (end of the spoken
// sentence → final segment) and over-capacity signals; it prints a line per
// window, a table and a summary (memory growth MB/h by linear fit after the
// warm-up, CPU, loss, latency drift first vs last minutes) and writes the JSON
// after every window, so Ctrl-C (or a crash) still leaves what was measured.
//
// The edge process here also runs the benchmark's driver (signaling clients,
// sampling): its share is small and constant; the publishers and receivers are
// separate processes (sfu-generator.ts, sfu-client.ts) whose CPU is reported.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '#common/logger';
import { repoRoot, varDir } from '#common/paths';
import type { CallRole } from '#protocol/roles';
import type { TranscriptSegment } from '#protocol/events';
import { readArchivedArtifact } from '../../test/helpers/edge.ts';
import { recordersLive, startEdgeAt, tempDir, withEnv } from '../../test/integration/recording-support.ts';
import { percentile } from '../../edge-node/src/transcription/eval/liveRun.ts';
import { ClientWorker } from './sfu-client.ts';
import { Generator } from './sfu-generator.ts';
import { vp8SimulcastFrames } from './sfu-vp8.ts';
import { processCpuMs, processRssMb } from './sfu-proc.ts';
import { masterKeyBase64, randomMasterKey, type SrtpSuite } from './sfu-srtp.ts';
import { addSoakCall, type SoakParticipant } from './soak-calls.ts';
import { progressLine, row, summarize, type SoakWindow } from './soak-report.ts';
import { domainSentences, matchUtterance, renderConversation, utterancesEnded } from './soak-speech.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    calls: { type: 'string', default: '2' },
    engine: { type: 'string', default: 'pocketsphinx' },
    interval: { type: 'string', default: '30' },
    warmup: { type: 'string' },
    workers: { type: 'string', default: String(os.cpus().length) },
    out: { type: 'string', default: path.join('bench-results', 'soak.json') },
    'no-frames': { type: 'boolean', default: false },
  },
});
const MINUTES = Number(args.minutes);
const CALLS = Number(args.calls);
const INTERVAL_S = Number(args.interval);
const TOTAL_S = MINUTES * 60;
// Memory is fitted after the warm-up (allocators, JIT, caches settle); latency drift compares
// the first and last DRIFT_S. Both shrink for short runs so that there is something to compare.
const WARMUP_S = args.warmup !== undefined ? Number(args.warmup) * 60 : Math.min(300, TOTAL_S / 4);
const DRIFT_S = Math.min(300, TOTAL_S / 3);
const ENGINE = args.engine === 'whisper' ? 'whisper' : 'pocketsphinx';
const SUITE: SrtpSuite = 'AEAD_AES_256_GCM'; // what DTLS negotiates with Chrome, both ways
const IP = '127.0.0.1';
const ROLES: CallRole[] = ['manager', 'customer', 'expert'];
const OUT = path.resolve(repoRoot, args.out);
const r1 = (x: number) => Math.round(x * 10) / 10;
const mb = (bytes: number) => Math.round(bytes / 1048576);
const log = (line: string) => process.stdout.write(`${line}\n`);

const whisperModel = existsSync(path.join(varDir, 'models', 'ggml-tiny.en.bin'))
  ? 'tiny.en'
  : 'synthetic-tiny.en';
let stopping = false;
process.on('SIGINT', () => {
  if (stopping) process.exit(130);
  stopping = true;
  log('\nSIGINT: stopping after this window (Ctrl-C again to quit at once)');
});

log(
  `bench:soak — ${CALLS} three-party calls, ${ENGINE}${ENGINE === 'whisper' ? ` (${whisperModel})` : ''}, recording on, ${MINUTES} min, windows of ${INTERVAL_S} s`,
);
const tracks = await renderConversation(domainSentences(), ROLES);
const loopMs = tracks[0]!.loopMs;
log(
  `conversation: ${tracks.reduce((n, t) => n + t.utterances.length, 0)} sentences in turns, ${r1(loopMs / 1000)} s a pass, looped`,
);

const dir = tempDir('soak');
const edgeEnv = {
  TRANSCRIPTION_ENGINE: ENGINE,
  ...(ENGINE === 'whisper' ? { WHISPER_MODEL: whisperModel } : {}),
  SFU_WORKERS: args.workers,
  CALL_EMPTY_END_MS: '0',
  RECORDING_ENABLED: '1',
  RECORDING_COMPOSITE: '0', // composites run after a call; this measures calls in progress
  ARCHIVE_MIN_FREE_BYTES: '0',
  FRAME_SAMPLING_ENABLED: args['no-frames'] ? '0' : '1', // on by default, as in production (startEdgeAt's default is off)
};
const restoreEnv = withEnv(edgeEnv);
const edge = await startEdgeAt(
  dir,
  edgeEnv,
  undefined,
  createLogger('soak-edge', { level: process.env.LOG_LEVEL ?? 'error' }),
);
restoreEnv();
const transcription = edge.edge.transcription;
if (!transcription) throw new Error(`the edge has no transcription (${ENGINE} unavailable)`);
const generator = await Generator.start(undefined);
await generator.recordedVideo(vp8SimulcastFrames()); // decodable: the edge records and samples the cameras
const client = await ClientWorker.start(IP, undefined);
const input = { suite: SUITE, keyBase64: masterKeyBase64(randomMasterKey(SUITE)) };

// ---- calls: every microphone sends from the start; each call's conversation enters the loop a fraction of a pass later
const participants: SoakParticipant[] = [];
for (let c = 0; c < CALLS; c++) {
  const callId = `soak-${c}`;
  participants.push(
    ...(await addSoakCall({
      edge,
      callId,
      generator,
      client,
      listenIp: IP,
      input,
      outputSuite: SUITE,
      tracks,
      skipMs: 20 * Math.round((c * loopMs) / CALLS / 20),
      ssrcBase: 5000 + 10 * c,
    })),
  );
}
const workerDeaths: string[] = [];
edge.edge.pool.on('workerDied', (dead, err) =>
  workerDeaths.push(`${new Date().toISOString()} pid ${dead.worker.pid}: ${err.message}`),
);
const byPeer = new Map(participants.map((p) => [p.peerId, p]));

// ---- transcript finals → latency from the end of the sentence they transcribe
let window = { finals: 0, latencies: [] as number[], overCapacity: 0 };
const seen = new Set<string>();
let speechAt = 0; // epoch ms of the generator's clock 0
transcription.on('segment', (s: TranscriptSegment) => {
  if (!s.final) return;
  window.finals++;
  const p = byPeer.get(s.participantId);
  const call = edge.edge.calls.get(s.callId);
  if (!p || !call || !speechAt) return;
  if (process.env.SOAK_DEBUG)
    log(
      `final ${s.participantId} ${call.startedAt + s.startMs - speechAt + p.skipMs}..${call.startedAt + s.endMs - speechAt + p.skipMs} ms into the speech clock: ${s.text}`,
    );
  const u = matchUtterance(
    p.track,
    speechAt - p.skipMs,
    call.startedAt + s.startMs,
    call.startedAt + s.endMs,
  );
  const key = u && `${p.peerId}:${u.key}`;
  if (!u || seen.has(key!)) return;
  seen.add(key!);
  window.latencies.push(Date.now() - u.endAt);
  if (process.env.SOAK_DEBUG)
    log(`  matched ${p.peerId} sentence end ${u.endAt - speechAt} final at ${Date.now() - speechAt}`);
});
transcription.on('capacity', (r) => r.overCapacity && window.overCapacity++);
// SOAK_DEBUG=1: a log line per speculation and per recognition (start, time taken, audio length),
// to see where a final's latency goes. Wraps the edge's scheduler and engine in this process only.
if (process.env.SOAK_DEBUG) {
  const scheduler = transcription.scheduler;
  const speculate = scheduler.speculate.bind(scheduler);
  scheduler.speculate = (job) => {
    log(`spec ${job.streamKey} at ${Date.now() - speechAt} pcm ${Math.round(job.pcm.length / 16)}ms`);
    return speculate(job);
  };
  const engine = scheduler.engine;
  const recognize = engine.recognize.bind(engine);
  engine.recognize = async (pcm, options) => {
    const started = Date.now();
    const result = await recognize(pcm, options);
    log(
      `rec ${options?.partial ? 'P' : 'F'} start ${started - speechAt} took ${Date.now() - started} pcm ${Math.round(pcm.length / 16)}`,
    );
    return result;
  };
}

await generator.start(input);
speechAt = (await generator.stats()).startedAtMs;
for (let c = 0; c < CALLS; c++) await recordersLive(edge, `soak-${c}`, ROLES.length * 2);
log(
  `load running: ${participants.length} participants, ${client.streams} received streams, ${edge.edge.pool.workers.length} SFU workers`,
);

// ---- sampling
let statsBefore = { ...transcription.scheduler.stats };
const cpuOf = new Map<number, number>(); // pid → CPU ms at the previous sample
const cpuPct = (pid: number, wallMs: number) => {
  const now = processCpuMs(pid);
  const before = cpuOf.get(pid) ?? 0; // a process born in the window counts from its start
  cpuOf.set(pid, now);
  return Number.isNaN(now) ? 0 : (100 * (now - before)) / wallMs;
};
const workerPids = () => edge.edge.pool.workers.map((w) => w.worker.pid ?? 0);
const recorderPids = () =>
  (edge.edge.archive.recording?.status() ?? []).flatMap((c) =>
    c.tracks.flatMap((t) => (t.pid ? [t.pid] : [])),
  );
const frames = () => edge.edge.frames?.status().flatMap((c) => c.cameras) ?? [];
const samplerPids = () => frames().flatMap((c) => (c.pid ? [c.pid] : []));
const segmentsWritten = () =>
  participants
    .filter((p) => p.role === ROLES[0])
    .reduce((n, p) => n + (edge.edge.archive.archive.store.get(p.callId)?.entries('segment').length ?? 0), 0);
let edgeCpu = process.cpuUsage();
for (const pid of [...workerPids(), ...recorderPids(), ...samplerPids(), generator.pid, client.pid])
  cpuOf.set(pid, processCpuMs(pid));
await client.sample();
await generator.stats();
const loadStart = Date.now();
let windowStart = loadStart;
const windows: SoakWindow[] = [];
// The code measured: the commit, and any uncommitted change to what the edge runs (others work in this
// tree). A run from an exported tree (git archive, no .git) names its commit in BENCH_COMMIT.
const git = (...a: string[]) => {
  try {
    return execFileSync('git', a, {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
};
const code = {
  commit: process.env.BENCH_COMMIT ?? git('rev-parse', '--short', 'HEAD') ?? 'unknown',
  uncommitted: (
    git('status', '--porcelain', '--', 'edge-node/src', 'sfu/src', 'common/src', 'protocol/src') ?? ''
  )
    .split('\n')
    .filter(Boolean),
};
const machine = { cores: os.cpus().length, cpu: os.cpus()[0]?.model, loadavgAtStart: os.loadavg().map(r1) };
const config = {
  calls: CALLS,
  participants: participants.length,
  engine: ENGINE,
  ...(ENGINE === 'whisper' ? { whisperModel } : {}),
  minutes: MINUTES,
  intervalS: INTERVAL_S,
  warmupS: WARMUP_S,
  driftS: DRIFT_S,
  sfuWorkers: edge.edge.pool.workers.length,
  srtp: SUITE,
  media:
    'per participant: VP8 simulcast 320x180/640x360/1280x720 at 30 fps (~1.2 Mbit/s) + Opus speech turns (espeak-ng domain sentences), SRTP both ways',
  recording: 'on (per-track ffmpeg copy, encrypted archive), composite off',
};
const write = (final: boolean, extra: Record<string, unknown> = {}) => {
  mkdirSync(path.dirname(OUT), { recursive: true });
  const summary = windows.length ? summarize(windows, WARMUP_S, DRIFT_S) : undefined;
  const body = {
    at: new Date().toISOString(),
    complete: final,
    machine: {
      ...machine,
      loadavgNow: os.loadavg().map(r1),
      note: 'shared 2-core machine: other engineers run builds and tests; see loadavg per window',
    },
    config,
    code,
    summary,
    ...extra,
    windows: windows.map(({ transcript: { latenciesMs, ...t }, ...w }) => ({
      ...w,
      transcript: { ...t, latenciesMs: latenciesMs.map(Math.round) },
    })),
  };
  writeFileSync(OUT, `${JSON.stringify(body, null, 1)}\n`);
};

while (!stopping && Date.now() - loadStart < TOTAL_S * 1000) {
  const due = Math.min(windowStart + INTERVAL_S * 1000, loadStart + TOTAL_S * 1000);
  while (!stopping && Date.now() < due)
    await new Promise((r) => setTimeout(r, Math.min(500, due - Date.now())));
  const now = Date.now();
  const wallMs = now - windowStart;
  const cpu = process.cpuUsage(edgeCpu);
  edgeCpu = process.cpuUsage();
  const mem = process.memoryUsage();
  const recs = edge.edge.archive.recording?.status() ?? [];
  const pids = recorderPids();
  const cams = frames();
  const [recv, gen] = [await client.sample(), await generator.stats()];
  const w = window;
  window = { finals: 0, latencies: [], overCapacity: 0 };
  const report = transcription.scheduler.report();
  const stats = { ...transcription.scheduler.stats };
  const ran = {
    finals: stats.finals - statsBefore.finals,
    partials: stats.partials - statsBefore.partials,
    speculationsWithdrawn:
      stats.speculationsWasted +
      stats.speculationsCancelled -
      statsBefore.speculationsWasted -
      statsBefore.speculationsCancelled,
    engineBusyPct: r1((100 * (stats.busyMs - statsBefore.busyMs)) / wallMs),
  };
  statsBefore = stats;
  const sample: SoakWindow = {
    t: Math.round((now - loadStart) / 1000),
    windowS: Math.round(wallMs / 1000),
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
    edge: {
      rssMb: mb(mem.rss),
      heapUsedMb: mb(mem.heapUsed),
      externalMb: mb(mem.external),
      cpuPct: r1((100 * (cpu.user + cpu.system)) / 1000 / wallMs),
    },
    workers: workerPids().map((pid) => ({ pid, rssMb: processRssMb(pid), cpuPct: r1(cpuPct(pid, wallMs)) })),
    recorders: {
      count: recs.reduce((n, c) => n + c.tracks.length, 0),
      live: recs.reduce((n, c) => n + c.tracks.filter((t) => t.live).length, 0),
      rssMb: pids.reduce((n, pid) => n + (processRssMb(pid) || 0), 0),
      cpuPct: r1(pids.reduce((n, pid) => n + cpuPct(pid, wallMs), 0)),
      segments: segmentsWritten(),
    },
    frames: {
      cameras: cams.length,
      cpuPct: r1(samplerPids().reduce((n, pid) => n + cpuPct(pid, wallMs), 0)),
      rssMb: samplerPids().reduce((n, pid) => n + (processRssMb(pid) || 0), 0),
      decoded: cams.reduce((n, c) => n + c.decoded, 0),
      analysed: cams.reduce((n, c) => n + c.analysed, 0),
      dropped: cams.reduce((n, c) => n + c.dropped, 0),
      crashes: cams.reduce((n, c) => n + c.crashes, 0),
    },
    load: {
      generatorCpuPct: r1(cpuPct(generator.pid, wallMs)),
      clientWorkerCpuPct: r1(cpuPct(client.pid, wallMs)),
      generatorMaxLateMs: r1(gen.maxLateMs),
    },
    receivers: {
      streams: recv.streams,
      received: recv.received,
      lost: recv.lost,
      lossPct: recv.lossPercent,
      stalled: recv.stalled,
    },
    transcript: {
      sentences: participants.reduce(
        (n, p) => n + utterancesEnded(p.track, speechAt - p.skipMs, windowStart, now),
        0,
      ),
      finals: w.finals,
      matched: w.latencies.length,
      p50Ms: percentile(w.latencies, 50),
      p95Ms: percentile(w.latencies, 95),
      maxMs: w.latencies.length ? Math.max(...w.latencies) : NaN,
      latenciesMs: w.latencies,
      overCapacityEvents: w.overCapacity,
      queuedFinals: report.queuedFinals,
      droppedFinals: transcription.scheduler.stats.droppedFinals,
      recognitions: ran,
    },
  };
  windows.push(sample);
  windowStart = now;
  log(progressLine(sample, TOTAL_S));
  write(false, { workerDeaths });
  if (client.diedWith) throw new Error(client.diedWith);
}

// ---- end the calls: the compliance engine writes each call's report (ran on the live transcript)
log('ending the calls: compliance reports and the archive…');
const reports: Record<string, unknown> = {};
for (let c = 0; c < CALLS; c++) edge.edge.calls.endCall(`soak-${c}`, 'soak over');
for (let c = 0; c < CALLS; c++) {
  const deadline = Date.now() + 30_000;
  let report: Buffer | undefined;
  while (!report && Date.now() < deadline) {
    report = await readArchivedArtifact(edge, `soak-${c}`, 'report').catch(() => undefined);
    if (!report) await new Promise((r) => setTimeout(r, 500));
  }
  const parsed = report
    ? (JSON.parse(report.toString('utf8')) as { verdict?: string; score?: number })
    : undefined;
  reports[`soak-${c}`] = parsed ? { verdict: parsed.verdict, score: parsed.score } : 'no report within 30 s';
}
await edge.edge.archive.recording?.settled();
write(true, { reports, workerDeaths });
log('');
console.table(windows.map(row));
const s = summarize(windows, WARMUP_S, DRIFT_S);
log(
  `\nSummary (${s.windows} windows; growth fitted after ${r1(WARMUP_S / 60)} min warm-up; mean load average ${s.loadavgMean} on ${machine.cores} cores)`,
);
console.table({
  'memory growth MB/h': {
    edge: `${s.growthMbPerHour.edgeRss} RSS (r² ${s.growthMbPerHour.r2EdgeRss}), heap ${s.growthMbPerHour.edgeHeap}`,
    workers: s.growthMbPerHour.workersRss,
    recorders: s.growthMbPerHour.recordersRss,
    'frame samplers': s.growthMbPerHour.frameSamplersRss,
  },
  'CPU mean % of a core': {
    edge: s.cpuMeanPct.edge,
    workers: s.cpuMeanPct.workers,
    recorders: s.cpuMeanPct.recorders,
    'frame samplers': s.cpuMeanPct.frameSamplers,
  },
});
log(
  `loss: ${s.loss.percent} % (${s.loss.lostPackets} of ${s.loss.lostPackets + s.loss.receivedPackets} packets; worst window ${s.loss.worstWindowPct} %)`,
);
log(
  `transcripts: ${s.transcript.matchedFinals}/${s.transcript.sentences} sentences got a final; p50 ${s.transcript.p50Ms} ms, p95 ${s.transcript.p95Ms} ms; first ${s.transcript.first.minutes} min p50/p95 ${s.transcript.first.p50Ms}/${s.transcript.first.p95Ms} ms, last ${s.transcript.last.minutes} min ${s.transcript.last.p50Ms}/${s.transcript.last.p95Ms} ms; over-capacity events ${s.transcript.overCapacityEvents}, dropped finals ${s.transcript.droppedFinals}`,
);
log(
  `frames: ${s.frames.analysed} analysed, ${s.frames.dropped} dropped, ${s.frames.crashes} sampler crashes`,
);
log(`recording: ${s.recordingSegments} segments written; compliance reports: ${JSON.stringify(reports)}`);
log(`\nwrote ${path.relative(repoRoot, OUT)}`);
// Results are out before teardown: a crash while the edge shuts down cannot lose them.
for (const p of participants) p.signal.close();
await generator.stop();
client.close();
await edge.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
