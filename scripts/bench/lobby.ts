// npm run bench:lobby [-- --quick] [--fps 1] [--no-calls] [--detector onnx|tfjs]
//
// Lobby analytics on this machine:
//  A. the person detector (CenterNet, one worker thread) on onnxruntime and on
//     tfjs-wasm: frames per second per core from CPU time (robust to other
//     load) and wall time; two workers side by side;
//  B. ffmpeg decoding per camera, in cores: OpenCV's vtest.avi (SD MPEG-4,
//     10 fps) and a 1080p25 H.264 stream like an IP camera's main profile;
//  C. what two live three-party calls cost the edge (edge process + mediasoup
//     workers, Chromium participants excluded: they are other devices);
//  D. how many lobby cameras fit beside those calls (80 % of the cores), and
//  E. a check: that many live-paced cameras run beside the two calls — do they
//     keep their frame rate?
// Prints tables; writes bench-results/lobby.json. Numbers from a shared
// machine are indicative: rerun on an idle one for final figures.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { createLogger } from '#common/logger';
import { repoRoot } from '#common/paths';
import {
  DetectorPool,
  LobbyService,
  parseLobbyConfig,
  type DetectorBackend,
} from '../../edge-node/src/lobby/index.ts';
import { ffmpegArgs } from '../../edge-node/src/lobby/FrameSource.ts';
import { CENTERNET_INPUT } from '../../edge-node/src/lobby/detector/model.ts';
import { ensureVtest, lobbyAssetDir } from '../lobby-assets.ts';
import { processCpuMs } from './sfu-proc.ts';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    fps: { type: 'string' },
    'no-calls': { type: 'boolean' },
    detector: { type: 'string' },
  },
});
const quick = args.quick ?? false;
const FPS = Number(args.fps ?? 1);
/** Runtime used for sizing (D) and the live check (E); A measures both. */
const BACKEND: DetectorBackend = args.detector === 'tfjs' ? 'tfjs' : 'onnx';
const CORES = os.cpus().length;
const TICK_MS = 1000 / 100; // /proc/<pid>/stat times are in USER_HZ = 100 on Linux
const logger = createLogger('bench-lobby', { level: 'warn' });
const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const notes: string[] = [];
const load0 = os.loadavg();
if (load0[0]! > CORES * 0.5)
  notes.push(
    `machine not idle (load average ${load0[0]!.toFixed(1)} on ${CORES} cores at start): wall-clock figures are pessimistic; CPU-time figures hold; rerun on an idle machine for final numbers`,
  );

function pct(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : NaN;
}
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
/** CPU ms used so far by a process (live ones only). */
function procCpuMs(pid: number): number {
  return processCpuMs(pid) || 0;
}
/** CPU ms of this process's children that have exited and been reaped (pocketsphinx runs, finished ffmpeg). */
function reapedChildrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) * TICK_MS;
}
/** Our child processes named `comm` (ffmpeg) and their CPU so far. */
function childrenCpuMs(comm: string): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && name === comm) total += procCpuMs(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- assets
const vtest = ensureVtest();
const hd = path.join(lobbyAssetDir, 'bench-1080p25.mp4');
if (!existsSync(hd)) {
  // A busy synthetic scene (moving pattern + noise) so the encoder makes a realistic bitrate; 2 s GOP like many IP cameras.
  execFileSync('ffmpeg', [
    '-y',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=1920x1080:rate=25',
    '-vf',
    'noise=alls=12:allf=t',
    '-t',
    '20',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-profile:v',
    'main',
    '-g',
    '50',
    '-b:v',
    '4M',
    '-pix_fmt',
    'yuv420p',
    hd,
  ]);
}

// ---------------------------------------------------------------- A. detector
console.log(
  '\nA. person detector (CenterNet 512×512, one worker thread, 1 intra-op thread): onnxruntime vs tfjs-wasm',
);
const nFrames = quick ? 8 : 24;
const raw = execFileSync(
  'ffmpeg',
  ffmpegArgs({
    source: { kind: 'file', path: vtest, realtime: false, loop: false },
    fps: 1,
    width: CENTERNET_INPUT,
    height: CENTERNET_INPUT,
  }),
  { maxBuffer: 1 << 30 },
);
const frameBytes = CENTERNET_INPUT * CENTERNET_INPUT * 3;
const frames = Array.from({ length: nFrames }, (_, i) =>
  raw.subarray(((i * 3) % 80) * frameBytes, (((i * 3) % 80) + 1) * frameBytes),
);

async function measureDetector(backend: DetectorBackend) {
  const rss0 = process.memoryUsage().rss;
  let t = performance.now();
  const pool1 = await DetectorPool.create(1, logger, backend);
  const loadMs = performance.now() - t;
  const rssPerWorkerMb = (process.memoryUsage().rss - rss0) / 1e6;
  const wall: number[] = [];
  const cpu0 = cpuMs();
  t = performance.now();
  for (const f of frames) {
    const s = performance.now();
    await pool1.detect(new Uint8Array(f), CENTERNET_INPUT, CENTERNET_INPUT, 0.35);
    wall.push(performance.now() - s);
  }
  const oneWallS = (performance.now() - t) / 1000;
  // The main thread only waits meanwhile: the process's CPU time is the worker's.
  const cpuPerFrameMs = (cpuMs() - cpu0) / frames.length;
  await pool1.close();
  wall.sort((a, b) => a - b);
  const pool2 = await DetectorPool.create(2, logger, backend);
  t = performance.now();
  await Promise.all(
    frames.concat(frames).map((f) => pool2.detect(new Uint8Array(f), CENTERNET_INPUT, CENTERNET_INPUT, 0.35)),
  );
  const twoWallFps = (frames.length * 2) / ((performance.now() - t) / 1000);
  await pool2.close();
  return {
    backend,
    modelLoadMs: Math.round(loadMs),
    rssPerWorkerMb: Math.round(rssPerWorkerMb),
    frames: frames.length,
    cpuMsPerFrame: r1(cpuPerFrameMs),
    framesPerCoreSecond: r1(1000 / cpuPerFrameMs),
    wallMsP50: r1(pct(wall, 0.5)),
    wallMsP95: r1(pct(wall, 0.95)),
    oneWorkerWallFps: r1(frames.length / oneWallS),
    twoWorkersWallFps: r1(twoWallFps),
  };
}
const detectors = [await measureDetector('onnx'), await measureDetector('tfjs')];
console.table(detectors);
const detector = detectors.find((d) => d.backend === BACKEND)!;
const cpuPerFrameMs = detector.cpuMsPerFrame;

// ---------------------------------------------------------------- B. decoding
console.log(`\nB. ffmpeg decoding per camera (analysed at ${FPS} fps, scaled to 512×512)`);
function decodeCost(file: string, videoS: number): { cpuS: number; coresPerCamera: number; wallS: number } {
  const a = ffmpegArgs({
    source: { kind: 'file', path: file, realtime: false, loop: false },
    fps: FPS,
    width: CENTERNET_INPUT,
    height: CENTERNET_INPUT,
  });
  const cmd = `ffmpeg ${a.map((x) => `'${x}'`).join(' ')} > /dev/null; times`;
  const s = performance.now();
  const out = execFileSync('bash', ['-c', cmd], { encoding: 'utf8' });
  const wallS = (performance.now() - s) / 1000;
  // `times` prints shell then children: "0m0.001s 0m0.002s\n0m1.234s 0m0.100s"
  const child = out
    .trim()
    .split('\n')
    .at(-1)!
    .split(' ')
    .map((x) => {
      const m = /(\d+)m([\d.]+)s/.exec(x)!;
      return Number(m[1]) * 60 + Number(m[2]);
    });
  const cpuS = child[0]! + child[1]!;
  return { cpuS: r1(cpuS), coresPerCamera: r3(cpuS / videoS), wallS: r1(wallS) };
}
const decode = {
  'vtest SD MPEG-4 10 fps': decodeCost(vtest, 79.5),
  '1080p25 H.264 4 Mb/s': decodeCost(hd, 20),
};
console.table(decode);

// ---------------------------------------------------------------- C. two live calls
interface CallsResult {
  measured: boolean;
  participants: number;
  seconds: number;
  edgeCores: number;
  /** Of which in the edge's Node process, and in recogniser child processes (the rest: mediasoup workers). */
  nodeCores: number;
  recogniserCores?: number;
  /** What the edge transcribed the calls with (its default configuration). */
  transcriptionEngine?: string;
  note?: string;
}
let calls: CallsResult = { measured: false, participants: 0, seconds: 0, edgeCores: 0, nodeCores: 0 };
let stopCalls = async () => {};
let edgeCpu = () => 0;
if (
  !args['no-calls'] &&
  existsSync(path.join(repoRoot, 'client/dist/index.html')) &&
  existsSync('/usr/bin/chromium')
) {
  console.log(
    '\nC. two live three-party calls on a real edge (Chromium participants, fake camera + speech, live transcription as configured by TRANSCRIPTION_ENGINE=auto)',
  );
  try {
    const { startTestEdge } = await import('../../test/helpers/edge.ts');
    const { launchChromium } = await import('../../test/helpers/browser.ts');
    const { openCallPage, waitForMediaFrom } = await import('../../test/helpers/call-page.ts');
    const edge = await startTestEdge({ SFU_WORKERS: '1', TRANSCRIPTION_ENGINE: 'auto' });
    const browser: Browser = await launchChromium();
    const roles = [
      { sub: 'customer', role: 'customer' },
      { sub: 'manager', role: 'manager' },
      { sub: 'expert', role: 'expert' },
    ] as const;
    for (const callId of ['bench-call-1', 'bench-call-2']) {
      const pages = [];
      for (const p of roles) {
        const token = edge.keys.mint('edge-test', {
          sub: `${callId}-${p.sub}`,
          callId,
          role: p.role,
          branchId: 'branch-test',
          name: p.sub,
        });
        pages.push(await openCallPage(browser, edge.url, token, p.sub));
      }
      await waitForMediaFrom(pages[0]!, [`${callId}-manager`, `${callId}-expert`], 90_000);
    }
    const workerPids = edge.edge.pool.workers.map((w) => w.worker.pid ?? 0);
    // Edge process + mediasoup workers + short-lived recogniser processes (pocketsphinx is spawned per utterance).
    edgeCpu = () => cpuMs() + workerPids.reduce((n, pid) => n + procCpuMs(pid), 0) + reapedChildrenCpuMs();
    const seconds = quick ? 10 : 20;
    await sleep(2000);
    const c0 = edgeCpu();
    const n0 = cpuMs();
    const k0 = reapedChildrenCpuMs();
    const s0 = performance.now();
    await sleep(seconds * 1000);
    const ms = performance.now() - s0;
    calls = {
      measured: true,
      participants: 6,
      seconds,
      edgeCores: r3((edgeCpu() - c0) / ms),
      nodeCores: r3((cpuMs() - n0) / ms),
      recogniserCores: r3((reapedChildrenCpuMs() - k0) / ms),
      transcriptionEngine:
        (edge.edge as { transcription?: { engine: { name: string } } }).transcription?.engine.name ?? 'none',
    };
    stopCalls = async () => {
      await browser.close();
      await edge.stop();
    };
  } catch (err) {
    calls.note = `calls not measured: ${(err as Error).message}`;
    notes.push(calls.note);
  }
  console.table([calls]);
} else {
  calls.note = 'calls not measured (--no-calls, or no client build / Chromium)';
  notes.push(calls.note);
}

// ---------------------------------------------------------------- D. capacity
const budgetCores = CORES * 0.8 - calls.edgeCores;
const detCores = (FPS * cpuPerFrameMs) / 1000;
const capacity = Object.fromEntries(
  Object.entries(decode).map(([name, d]) => {
    const perCamera = detCores + d.coresPerCamera;
    return [
      name,
      {
        coresPerCamera: r3(perCamera),
        detectorCores: r3(detCores),
        decodeCores: d.coresPerCamera,
        cameras: Math.max(0, Math.floor(budgetCores / perCamera)),
      },
    ];
  }),
);
console.log(
  `\nD. lobby cameras beside two calls: ${CORES} cores × 80 % − ${r3(calls.edgeCores)} cores for the calls = ${r3(budgetCores)} cores`,
);
console.table(capacity);

// ---------------------------------------------------------------- E. check it
const nCams = Math.max(1, Math.min(8, capacity['1080p25 H.264 4 Mb/s']!.cameras));
const checkS = quick ? 15 : 40;
console.log(`\nE. ${nCams} live-paced 1080p25 camera(s) at ${FPS} fps beside the calls for ${checkS} s`);
const workers = Math.max(1, Math.min(CORES, Math.ceil((nCams * detCores) / 0.8)));
const lobby = await LobbyService.start({
  file: parseLobbyConfig({
    cameras: Array.from({ length: nCams }, (_, i) => ({
      id: `cam${i + 1}`,
      fps: FPS,
      source: { kind: 'file', path: hd, realtime: true, loop: true },
    })),
  }),
  branchId: 'bench',
  edgeId: 'bench',
  staffOnDuty: 2,
  detectorWorkers: workers,
  detectorBackend: BACKEND,
  logger,
});
// Let every camera's ffmpeg connect and the detector queue settle before measuring.
await sleep(8000);
const before = lobby.cameras.map((c) => ({ n: c.framesAnalysed, d: c.stats().framesDropped }));
const f0 = childrenCpuMs('ffmpeg');
const s0 = performance.now();
await sleep(checkS * 1000);
const elapsedS = (performance.now() - s0) / 1000;
const perCam = lobby.cameras.map((c, i) => ({
  camera: c.config.id,
  analysedFps: r3((c.framesAnalysed - before[i]!.n) / elapsedS),
  dropped: c.stats().framesDropped - before[i]!.d,
  detectorMsP50: c.stats().detectorMsP50,
}));
// The calls' edge shares this process, so the lobby's CPU is estimated from its own parts: its ffmpeg
// processes (measured) and the frames it analysed × the detector's CPU per frame (phase A).
const analysedDelta = lobby.cameras.reduce((n, c, i) => n + c.framesAnalysed - before[i]!.n, 0);
const lobbyCores = r3((childrenCpuMs('ffmpeg') - f0 + analysedDelta * cpuPerFrameMs) / (elapsedS * 1000));
await lobby.close();
await stopCalls();
const keptUp = perCam.every((c) => c.analysedFps >= 0.9 * FPS);
console.table(perCam);
console.log(
  `lobby CPU ≈ ${lobbyCores} cores (ffmpeg measured + frames × detector CPU per frame) for ${nCams} camera(s) (${workers} detector worker(s)); kept up: ${keptUp}`,
);
if (!keptUp)
  notes.push(
    `check: not every camera kept ${FPS} fps beside the calls on this run (see check.cameras); on a shared machine the detector gets less than its share of a core`,
  );

// ---------------------------------------------------------------- report
const result = {
  bench: 'lobby',
  at: new Date().toISOString(),
  quick,
  machine: {
    cpus: CORES,
    model: os.cpus()[0]?.model,
    node: process.version,
    loadAverageAtStart: load0.map(r1),
    loadAverageAtEnd: os.loadavg().map(r1),
  },
  params: {
    fps: FPS,
    detector: `CenterNet MobileNetV3 COCO (npm @vladmandic/human models/centernet); sizing with ${BACKEND}`,
  },
  detector: detectors,
  decode,
  calls,
  capacity: { budgetCores: r3(budgetCores), perSource: capacity },
  check: { cameras: nCams, detectorWorkers: workers, seconds: checkS, lobbyCores, keptUp, perCamera: perCam },
  notes,
};
mkdirSync(path.join(repoRoot, 'bench-results'), { recursive: true });
writeFileSync(path.join(repoRoot, 'bench-results', 'lobby.json'), JSON.stringify(result, null, 2) + '\n');
for (const n of notes) console.log(`note: ${n}`);
console.log('wrote bench-results/lobby.json');
// Worker threads and sockets of the calls' edge may linger: the bench is done.
setTimeout(() => process.exit(0), 500).unref();
