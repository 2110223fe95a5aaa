// `npm run bench:frames [-- --seconds 40]`: what live frame sampling costs per
// camera, and which simulcast layer it can use.
//
// 1. Legibility per layer (offline): the fake camera's picture (face photo +
//    product document, large and small) VP8-encoded at each layer's size and
//    bitrate as the client sends it (sfu/src/layers.ts), decoded, then run
//    through the face detector and OCR: faces found, title read, ms per frame.
// 2. CPU per camera (live): one camera published to a real edge as VP8 RTP at
//    a layer's size (7.5 fps: the base temporal layer of a 30 fps L1T3 camera,
//    which is what the sampler consumes; one run at 30 fps shows the saving),
//    sampled by the real pipeline (PlainTransport → ffmpeg → analysis thread).
//    Measured in the steady state after the document title was read (faces
//    only: the rest of the call): the sampler ffmpeg (/proc/<pid>/stat), the
//    edge process (analysis thread, ONNX and sharp threads) against the same
//    call without sampling, the mediasoup worker. Until the title is read OCR
//    adds one read per camera every 4 s, costed from the legibility timings.
// Prints tables and writes bench-results/frames.json. Noisy on a shared machine.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '#common/logger';
import { repoRoot, varDir } from '#common/paths';
import { countFaces } from '../../edge-node/src/compliance/frames/face-detector.ts';
import { OCR_EVERY_MS } from '../../edge-node/src/compliance/frames/ocr-schedule.ts';
import { readText } from '../../edge-node/src/compliance/frames/ocr.ts';
import { documentTitleSeen, loadRulePack } from '../../edge-node/src/compliance/index.ts';
import { cameraStills } from '../../test/helpers/fake-media.ts';
import {
  joinWithMedia,
  startEdgeAt,
  startSender,
  tempDir,
  withEnv,
} from '../../test/integration/recording-support.ts';
import { processCpuMs } from './sfu-proc.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '40' } } });
const SECONDS = Number(values.seconds);
const CORES = os.cpus().length;
const TITLE = 'Product Key Facts';
const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
/** The client's simulcast layers of a 960×540 camera (RoomClient CAMERA_ENCODINGS: ¼, ½, full; 150/400/900 kbit/s). */
const LAYERS = [
  { layer: 0, size: '240x135', kbps: 150 },
  { layer: 1, size: '480x270', kbps: 400 },
  { layer: 2, size: '960x540', kbps: 900 },
] as const;

function procCpuS(pid: number): number {
  return (processCpuMs(pid) || 0) / 1000; // 0 once it is gone
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A looped camera (3 s without the document, 5 s with it) as VP8 WebM at one layer's size, frame rate and bitrate. */
function encodeCamera(
  stills: { plain: string; withDocument?: string },
  size: string,
  kbps: number,
  fps: number,
  seconds: number,
  out: string,
): string {
  if (existsSync(out)) return out;
  const loops = String(Math.ceil(seconds / 8));
  const tmp = `${out}.${process.pid}.webm`;
  // prettier-ignore
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-loop', '1', '-framerate', String(fps), '-t', '3', '-i', stills.plain,
    '-loop', '1', '-framerate', String(fps), '-t', '5', '-i', stills.withDocument!,
    '-filter_complex', `[0:v][1:v]concat=n=2:v=1,loop=loop=${loops}:size=${8 * fps},scale=${size},format=yuv420p[v]`, '-map', '[v]',
    '-t', String(seconds), '-r', String(fps),
    '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', `${kbps}k`, '-g', String(fps * 4), tmp,
  ]);
  execFileSync('mv', [tmp, out]);
  return out;
}

interface Legibility {
  layer: number;
  size: string;
  documentScale: number;
  faces: number;
  titleRead: boolean;
  text: string;
  facesMs: number;
  ocrMs: number;
}

async function legibility(work: string): Promise<Legibility[]> {
  const seen = documentTitleSeen(loadRulePack('wealth-sale'));
  await countFaces(path.join(repoRoot, 'test/fixtures/compliance/faces/face.jpg'));
  await readText(path.join(repoRoot, 'test/fixtures/compliance/faces/face.jpg'));
  const out: Legibility[] = [];
  for (const documentScale of [1, 0.5]) {
    const dir = path.join(work, `still-${documentScale}`);
    mkdirSync(dir, { recursive: true });
    const stills = await cameraStills({ face: true, document: TITLE, documentScale }, dir);
    for (const l of LAYERS) {
      // The document is in view from 3 s to 8 s: take a decoded frame at 7 s (after an encoder settled on it).
      const webm = encodeCamera(stills, l.size, l.kbps, 30, 8, path.join(dir, `l${l.layer}.webm`));
      const jpg = path.join(dir, `l${l.layer}.jpg`);
      execFileSync('ffmpeg', [
        '-hide_banner',
        '-loglevel',
        'error',
        '-y',
        '-ss',
        '7',
        '-i',
        webm,
        '-frames:v',
        '1',
        '-q:v',
        '3',
        jpg,
      ]);
      // Best of three: the machine is shared, the least disturbed run is closest to the cost.
      let facesMs = Infinity;
      let ocrMs = Infinity;
      let faces = 0;
      let text = '';
      for (let i = 0; i < 3; i++) {
        let t = performance.now();
        faces = await countFaces(jpg);
        facesMs = Math.min(facesMs, performance.now() - t);
        t = performance.now();
        text = await readText(jpg);
        ocrMs = Math.min(ocrMs, performance.now() - t);
      }
      out.push({
        layer: l.layer,
        size: l.size,
        documentScale,
        faces,
        titleRead: seen(text),
        text: text.slice(0, 120),
        facesMs: r1(facesMs),
        ocrMs: r1(ocrMs),
      });
    }
  }
  return out;
}

interface LiveRun {
  layer: number;
  size: string;
  fps: number;
  sampling: boolean;
  /** The title was read (document-shown passed) during the run. */
  titleRead: boolean;
  samples: number;
  dropped: number;
  steady: { seconds: number; ffmpegPct: number; nodePct: number; workerPct: number };
}

async function liveRun(
  media: string,
  l: (typeof LAYERS)[number],
  fps: number,
  sampling: boolean,
  dir: string,
): Promise<LiveRun> {
  const restore = withEnv({ RECORDING_ENABLED: '0', ARCHIVE_MIN_FREE_BYTES: '0' });
  const edge = await startEdgeAt(
    dir,
    { TRANSCRIPTION_ENGINE: 'none', FRAME_SAMPLING_ENABLED: sampling ? '1' : '0' },
    undefined,
    createLogger('bench', { level: 'error' }),
  );
  restore();
  const callId = `bench-frames-${l.layer}-${fps}-${sampling ? 'on' : 'off'}`;
  const manager = await joinWithMedia(edge, callId, 'manager-b', 'manager', ['video']);
  const sender = startSender(manager, { durationS: SECONDS + 30, input: media });
  const worker = edge.edge.pool.workers[0]!.worker;
  const workerCpuS = async () => {
    const u = await worker.getResourceUsage();
    return (u.ru_utime + u.ru_stime) / 1000;
  };
  const camera = () => edge.edge.frames?.status().find((s) => s.callId === callId)?.cameras[0];
  const snapshot = async () => {
    const c = process.cpuUsage();
    const pid = camera()?.pid;
    return {
      at: performance.now(),
      node: (c.user + c.system) / 1e6,
      ffmpeg: pid ? procCpuS(pid) : 0,
      pid,
      worker: await workerCpuS(),
    };
  };
  const pct = (a: Awaited<ReturnType<typeof snapshot>>, b: Awaited<ReturnType<typeof snapshot>>) => {
    const s = (b.at - a.at) / 1000;
    return {
      seconds: r1(s),
      ffmpegPct: r1((100 * (a.pid === b.pid ? b.ffmpeg - a.ffmpeg : 0)) / s),
      nodePct: r1((100 * (b.node - a.node)) / s),
      workerPct: r1((100 * (b.worker - a.worker)) / s),
    };
  };
  const documentShown = () =>
    edge.edge.analysis.checklist(callId)?.items.find((i) => i.id === 'document-shown')?.status === 'pass';
  // Ramp-up: the analysis thread loads its models, ffmpeg probes, the title is read (OCR stops). Then steady state.
  const deadline = Date.now() + 90_000;
  if (sampling)
    while (!(documentShown() && (camera()?.analysed ?? 0) >= 2) && Date.now() < deadline) await sleep(100);
  else await sleep(8000);
  const s0 = await snapshot();
  await sleep(SECONDS * 1000);
  const s1 = await snapshot();
  const cam = camera();
  const titleRead = documentShown();
  sender.kill('SIGKILL');
  edge.edge.calls.endCall(callId, 'bench over');
  manager.client.close();
  await edge.stop();
  return {
    layer: l.layer,
    size: l.size,
    fps,
    sampling,
    titleRead,
    samples: cam?.analysed ?? 0,
    dropped: cam?.dropped ?? 0,
    steady: pct(s0, s1),
  };
}

async function main(): Promise<void> {
  const work = tempDir('bench-frames');
  const mediaDir = path.join(varDir, 'test-media');
  mkdirSync(mediaDir, { recursive: true });
  try {
    process.stderr.write('legibility per layer…\n');
    const legible = await legibility(work);
    const stillsDir = path.join(work, 'live-stills');
    mkdirSync(stillsDir, { recursive: true });
    const stills = await cameraStills({ face: true, document: TITLE }, stillsDir);
    const media = (l: (typeof LAYERS)[number], fps: number) =>
      encodeCamera(
        stills,
        l.size,
        l.kbps,
        fps,
        SECONDS + 90,
        path.join(mediaDir, `bench-frames-${l.size}-${fps}fps-${SECONDS + 90}s.webm`),
      );
    const runs: LiveRun[] = [];
    const plan: [number, number, boolean][] = [
      [1, 7.5, false],
      [0, 7.5, true],
      [1, 7.5, true],
      [2, 7.5, true],
      [1, 30, true],
    ];
    for (const [layer, fps, sampling] of plan) {
      const l = LAYERS[layer]!;
      process.stderr.write(
        `live: layer ${layer} (${l.size}) at ${fps} fps, sampling ${sampling ? 'on' : 'off'} (${SECONDS} s steady)…\n`,
      );
      runs.push(await liveRun(media(l, fps), l, fps, sampling, path.join(work, `run-${runs.length}`)));
    }
    const baseline = runs.find((r) => !r.sampling)!;
    const perCamera = runs
      .filter((r) => r.sampling)
      .map((r) => {
        const node = Math.max(0, r.steady.nodePct - baseline.steady.nodePct);
        const worker = Math.max(0, r.steady.workerPct - baseline.steady.workerPct);
        return {
          layer: r.layer,
          size: r.size,
          fps: r.fps,
          ffmpegPctOfCore: r.steady.ffmpegPct,
          analysisPctOfCore: r1(node),
          mediasoupPctOfCore: r1(worker),
          totalPctOfCore: r1(r.steady.ffmpegPct + node + worker),
          // Until the title is read OCR adds one read per camera every OCR_EVERY_MS (its time from the legibility runs, same size).
          ocrPhaseExtraPctOfCore: r1(
            (100 * (legible.find((x) => x.layer === r.layer && x.documentScale === 1)?.ocrMs ?? 0)) /
              OCR_EVERY_MS,
          ),
          titleRead: r.titleRead,
          samples: r.samples,
          dropped: r.dropped,
        };
      });
    const chosen = perCamera.find((p) => p.layer === 1 && p.fps === 7.5)!;
    const result = {
      machine: {
        cores: CORES,
        cpu: os.cpus()[0]?.model,
        load: os.loadavg().map(r2),
        note: 'shared 2-core machine, other engineers running: noisy',
      },
      settings: {
        sampleMs: 2000,
        steadySeconds: SECONDS,
        camera: '960x540 scene (face photo, document 3 s of every 8 s), VP8',
      },
      legibility: legible,
      perCamera,
      chosen: {
        layer: 1,
        temporalLayer: 0,
        totalPctOfCore: chosen.totalPctOfCore,
        untilTitleReadExtraPctOfCore: chosen.ocrPhaseExtraPctOfCore,
        camerasPerCore: chosen.totalPctOfCore > 0 ? Math.floor(100 / chosen.totalPctOfCore) : null,
      },
      runs,
    };
    mkdirSync(path.join(repoRoot, 'bench-results'), { recursive: true });
    writeFileSync(
      path.join(repoRoot, 'bench-results', 'frames.json'),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    console.log(
      '\nLegibility (one decoded frame per layer; document 34 px title at scale 1, 17 px at 0.5, of 960×540)',
    );
    console.table(
      legible.map((x) => ({
        layer: x.layer,
        size: x.size,
        doc: x.documentScale,
        faces: x.faces,
        title: x.titleRead ? 'read' : 'missed',
        'faces ms': x.facesMs,
        'OCR ms': x.ocrMs,
      })),
    );
    console.log(
      `\nCPU per camera, % of one core (steady state, faces only; sample every 2 s; load ${result.machine.load.join(' ')})`,
    );
    console.table(
      perCamera.map((p) => ({
        layer: p.layer,
        size: p.size,
        fps: p.fps,
        ffmpeg: p.ffmpegPctOfCore,
        analysis: p.analysisPctOfCore,
        mediasoup: p.mediasoupPctOfCore,
        total: p.totalPctOfCore,
        '+ until title read': p.ocrPhaseExtraPctOfCore,
        samples: p.samples,
        dropped: p.dropped,
      })),
    );
    console.log('\nbench-results/frames.json written');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
