// `npm run bench:recording [-- --seconds 60]`: what recording costs on this machine.
//
// A three-party call (640×360 VP8 at 15 fps + Opus per participant, sent in real
// time by ffmpeg from a pre-encoded file) runs through a real edge twice: with
// recording on, then off. Measured:
//   - per-track copy: CPU of the six recorder ffmpeg processes (/proc/<pid>/stat),
//   - the rest of recording inside the edge: extra CPU of the node process and of
//     the mediasoup worker (the plain-transport consumers) versus the call without,
//   - the composite (post-call, libx264): CPU seconds per minute of call,
//   - encryption at rest: AES-256-GCM blob writes vs plain copies of the call's
//     segments, and range-decrypting playback vs plain reads of the composite.
// Derives how many calls one edge can record at once. Prints a table and writes
// bench-results/recording.json. Timings are noisy on a shared 2-core machine.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '#common/logger';
import { repoRoot, varDir } from '#common/paths';
import { BlobReader, encryptFile } from '#common/archive/blob';
import { FfmpegRenderer } from '../../edge-node/src/recording/Renderer.ts';
import {
  joinWithMedia,
  recordersLive,
  startEdgeAt,
  startSender,
  tempDir,
  withEnv,
  type MediaParticipant,
} from '../../test/integration/recording-support.ts';
import { processCpuMs } from './sfu-proc.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' } } });
const SECONDS = Number(values.seconds);
const TICK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const CORES = os.cpus().length;
const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;

/** CPU seconds a process has used so far (user + system). */
function procCpuS(pid: number): number {
  return (processCpuMs(pid) || 0) / 1000; // 0 once it is gone
}

/** CPU seconds of this process's children that have exited (ffmpeg runs to completion). */
function reapedChildrenCpuS(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) / TICK;
}

async function benchMedia(): Promise<string> {
  const file = path.join(varDir, 'test-media', `bench-640x360-${SECONDS}s.webm`);
  if (existsSync(file)) return file;
  mkdirSync(path.dirname(file), { recursive: true });
  process.stderr.write(`encoding ${SECONDS} s of 640x360 test media once (cached in ${file})…\n`);
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=640x360:rate=15',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-t',
    String(SECONDS),
    '-c:v',
    'libvpx',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    '-b:v',
    '500k',
    '-g',
    '30',
    '-c:a',
    'libopus',
    '-ac',
    '2',
    '-b:a',
    '48k',
    `${file}.tmp.webm`,
  ]);
  copyFileSync(`${file}.tmp.webm`, file);
  rmSync(`${file}.tmp.webm`);
  return file;
}

interface CallRun {
  wallS: number;
  nodeCpuS: number;
  workerCpuS: number;
  recorderCpuS: number;
  recorders: number;
  record?: ReturnType<Awaited<ReturnType<typeof startEdgeAt>>['edge']['archive']['archive']['store']['get']>;
  stop(): Promise<void>;
}

async function runCall(recording: boolean, media: string, dir: string): Promise<CallRun> {
  const restore = withEnv({
    RECORDING_ENABLED: recording ? '1' : '0',
    RECORDING_COMPOSITE: '0',
    ARCHIVE_MIN_FREE_BYTES: '0',
    TRANSCRIPTION_ENGINE: 'none',
  });
  const edge = await startEdgeAt(
    dir,
    { TRANSCRIPTION_ENGINE: 'none' },
    undefined,
    createLogger('bench', { level: 'error' }),
  );
  restore();
  const callId = `bench-${recording ? 'rec' : 'plain'}`;
  const participants: MediaParticipant[] = [];
  for (const role of ['customer', 'manager', 'expert'] as const)
    participants.push(await joinWithMedia(edge, callId, `${role}-b`, role));
  if (recording) await recordersLive(edge, callId, 6);
  const worker = edge.edge.pool.workers[0]!.worker;
  const usage = async () => {
    const u = await worker.getResourceUsage();
    return (u.ru_utime + u.ru_stime) / 1000;
  };
  const w0 = await usage();
  const n0 = process.cpuUsage();
  const t0 = Date.now();
  const senders = participants.map((p) => startSender(p, { durationS: SECONDS, input: media }));
  // sample recorder CPU while they run (they are gone once stopped)
  const lastCpu = new Map<number, number>();
  const sampler = setInterval(() => {
    for (const c of edge.edge.archive.recording?.status() ?? [])
      for (const t of c.tracks) if (t.pid) lastCpu.set(t.pid, procCpuS(t.pid));
  }, 500);
  await Promise.all(senders.map((s) => s.done));
  for (const c of edge.edge.archive.recording?.status() ?? [])
    for (const t of c.tracks) if (t.pid) lastCpu.set(t.pid, procCpuS(t.pid));
  clearInterval(sampler);
  edge.edge.calls.endCall(callId, 'bench over');
  await edge.edge.archive.recording?.settled();
  const n1 = process.cpuUsage(n0);
  const run: CallRun = {
    wallS: (Date.now() - t0) / 1000,
    nodeCpuS: (n1.user + n1.system) / 1e6,
    workerCpuS: (await usage()) - w0,
    recorderCpuS: [...lastCpu.values()].reduce((a, b) => a + b, 0),
    recorders: lastCpu.size,
    record: edge.edge.archive.archive.store.get(callId),
    async stop() {
      for (const p of participants) p.client.close();
      await edge.stop();
    },
  };
  return run;
}

async function throughput(fn: () => Promise<void>): Promise<{ cpuS: number; wallS: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return { cpuS: (c.user + c.system) / 1e6, wallS: (performance.now() - t0) / 1000 };
}

async function main(): Promise<void> {
  const media = await benchMedia();
  const work = tempDir('bench-rec');
  try {
    process.stderr.write(`call with recording (${SECONDS} s)…\n`);
    const rec = await runCall(true, media, path.join(work, 'rec'));
    process.stderr.write(`same call without recording…\n`);
    const plain = await runCall(false, media, path.join(work, 'plain'));
    await plain.stop();
    const record = rec.record!;
    const minutes = SECONDS / 60;

    // composite, post-call (the edge's own renderer, as after a real call)
    process.stderr.write('composite…\n');
    const renderer = new FfmpegRenderer(
      {
        ffmpeg: 'ffmpeg',
        spoolDir: path.join(work, 'render'),
        tile: { width: 480, height: 270 },
        fps: 15,
        preset: 'veryfast',
        fontFile: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
      },
      createLogger('bench', { level: 'error' }),
    );
    const k0 = reapedChildrenCpuS();
    const t0 = performance.now();
    const composite = await renderer.composite(record);
    const compositeWallS = (performance.now() - t0) / 1000;
    const compositeCpuS = reapedChildrenCpuS() - k0;

    // encryption at rest: the call's segments, encrypted vs copied
    const dk = await record.dataKey();
    const plainDir = path.join(work, 'plain-segments');
    mkdirSync(plainDir, { recursive: true });
    const segments = record.entries('segment');
    const { decryptToFile } = await import('#common/archive/blob');
    const sources: string[] = [];
    for (const [i, s] of segments.entries()) {
      const f = path.join(plainDir, `s${i}`);
      await decryptToFile(record.absolute(s.file), dk, f);
      sources.push(f);
    }
    const segBytes = sources.reduce((n, f) => n + statSync(f).size, 0);
    const enc = await throughput(async () => {
      for (const [i, f] of sources.entries()) await encryptFile(f, dk, path.join(work, `e${i}.bea`));
    });
    const copy = await throughput(async () => {
      for (const [i, f] of sources.entries()) copyFileSync(f, path.join(work, `c${i}`));
    });

    // playback: sequential 256 KiB range reads of the composite, decrypting vs plain
    const compPlain = path.join(work, 'composite.mp4');
    await decryptToFile(record.absolute(composite!.file), dk, compPlain);
    const compBytes = statSync(compPlain).size;
    const RANGE = 256 * 1024;
    const dec = await throughput(async () => {
      const reader = await BlobReader.open(record.absolute(composite!.file), dk);
      for (let at = 0; at < reader.size; at += RANGE) await reader.read(at, at + RANGE);
      await reader.close();
    });
    const raw = await throughput(async () => {
      const fh = await open(compPlain, 'r');
      const buf = Buffer.alloc(RANGE);
      for (let at = 0; at < compBytes; at += RANGE) await fh.read(buf, 0, RANGE, at);
      await fh.close();
    });
    await rec.stop();

    const pctOfCore = (cpuS: number) => (100 * cpuS) / SECONDS;
    const copyPct = pctOfCore(rec.recorderCpuS);
    const nodeExtraPct = pctOfCore(Math.max(0, rec.nodeCpuS - plain.nodeCpuS));
    const workerExtraPct = pctOfCore(Math.max(0, rec.workerCpuS - plain.workerCpuS));
    const perCallLivePct = copyPct + nodeExtraPct + workerExtraPct;
    const compositeCpuPerCallMin = compositeCpuS / minutes;
    const encryptCpuPerCallMin = (enc.cpuS / segBytes) * (segBytes / minutes);
    const budgetPct = CORES * 100 * 0.8;
    const result = {
      machine: {
        cores: CORES,
        cpu: os.cpus()[0]?.model,
        load: os.loadavg().map(r2),
        note: 'shared 2-core machine, other engineers running: noisy',
      },
      call: {
        seconds: SECONDS,
        participants: 3,
        tracks: rec.recorders,
        video: '640x360 VP8 15 fps ~500 kbit/s',
        audio: 'Opus 48 kHz',
        segments: segments.length,
        recordedMB: r2(segBytes / 1e6),
      },
      perCall: {
        copyRecordersPctOfCore: r1(copyPct),
        edgeNodeExtraPctOfCore: r1(nodeExtraPct),
        mediasoupWorkerExtraPctOfCore: r1(workerExtraPct),
        liveRecordingPctOfCore: r1(perCallLivePct),
        compositeCpuSecondsPerCallMinute: r1(compositeCpuPerCallMin),
        compositeRealTimeFactor: r2(compositeCpuS / SECONDS),
        compositeWallSeconds: r1(compositeWallS),
        compositeMB: r2((composite?.bytes ?? 0) / 1e6),
      },
      encryption: {
        recordingEncryptMBps: r1(segBytes / 1e6 / enc.cpuS),
        recordingPlainCopyMBps: r1(segBytes / 1e6 / Math.max(copy.cpuS, 1e-6)),
        encryptCpuMsPerCallMinute: r1(encryptCpuPerCallMin * 1000),
        encryptShareOfRecordingCpu: `${r1((100 * encryptCpuPerCallMin) / Math.max(1e-9, ((copyPct + nodeExtraPct + workerExtraPct) / 100) * 60))} %`,
        playbackDecryptMBps: r1(compBytes / 1e6 / dec.cpuS),
        playbackPlainReadMBps: r1(compBytes / 1e6 / Math.max(raw.cpuS, 1e-6)),
        playbackDecryptCpuMsPerMinuteOfCall: r1((dec.cpuS / minutes) * 1000),
      },
      capacity: {
        callsRecordedAtOnce: Math.floor(budgetPct / perCallLivePct),
        withLiveComposite: Math.floor(budgetPct / (perCallLivePct + (100 * compositeCpuS) / SECONDS)),
        compositeMinutesPerCoreHour: Math.floor(3600 / compositeCpuPerCallMin),
        assumption:
          'recording only (no transcription, compliance or SFU forwarding counted), 80 % of all cores',
      },
    };
    const rows: [string, string][] = [
      ['per-track copy (6 ffmpeg), % of one core per call', `${result.perCall.copyRecordersPctOfCore}`],
      ['edge process extra (encrypt, hash, manifest), %', `${result.perCall.edgeNodeExtraPctOfCore}`],
      ['mediasoup worker extra (recorder consumers), %', `${result.perCall.mediasoupWorkerExtraPctOfCore}`],
      ['live recording total, % of one core per call', `${result.perCall.liveRecordingPctOfCore}`],
      [
        'composite (libx264 veryfast), CPU s per call-minute',
        `${result.perCall.compositeCpuSecondsPerCallMinute} (×${result.perCall.compositeRealTimeFactor} real time)`,
      ],
      [
        'encrypt at rest, MB/s (plain copy MB/s)',
        `${result.encryption.recordingEncryptMBps} (${result.encryption.recordingPlainCopyMBps})`,
      ],
      [
        'encrypt CPU per call-minute',
        `${result.encryption.encryptCpuMsPerCallMinute} ms (${result.encryption.encryptShareOfRecordingCpu} of recording)`,
      ],
      [
        'playback decrypt, MB/s (plain read MB/s)',
        `${result.encryption.playbackDecryptMBps} (${result.encryption.playbackPlainReadMBps})`,
      ],
      [
        `calls recorded at once (${CORES} cores, 80 %)`,
        `${result.capacity.callsRecordedAtOnce} (with live composite: ${result.capacity.withLiveComposite})`,
      ],
      ['post-call composites per core-hour (call-minutes)', `${result.capacity.compositeMinutesPerCoreHour}`],
    ];
    const w = Math.max(...rows.map((r) => r[0].length));
    console.log(
      `\nbench:recording — ${SECONDS} s three-party call, ${CORES} cores, load ${result.machine.load.join(' ')} (noisy)\n`,
    );
    for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
    const out = path.join(repoRoot, 'bench-results', 'recording.json');
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nwrote ${path.relative(repoRoot, out)}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
