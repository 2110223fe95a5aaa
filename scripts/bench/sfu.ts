// `npm run bench:sfu`: how many three-party rooms one SFU core carries, ours
// (BranchEdge's sfu/ library on mediasoup) and Janus' VideoRoom side by side,
// plus join time in real Chromium. One command; prints tables and writes
// bench-results/sfu.json.
//
// Capacity: N rooms × 3 participants. Each participant publishes Opus (~40 kbit/s)
// and 3-layer VP8 simulcast (~1.2 Mbit/s) from the synthetic generator
// (sfu-generator.ts, own process) and receives the other two (top layer) on the
// client worker (sfu-client.ts). The server (mediasoup worker or Janus) is pinned
// to core 0, everything else to core 1. Rooms are added in steps; after a warm-up
// each step is measured: server CPU (% of one core), forwarded packets/s and loss
// at the receivers (RTP sequence gaps). A step passes below 85 % CPU and 1 % loss.
//
// Scenarios:
//   branchedge         SRTP in, SRTP out (AEAD_AES_256_GCM both ways, as with Chrome): the product's load
//   branchedge-rtp-in  plain RTP in, SRTP out: the same input Janus gets (below)
//   janus              Janus 1.1.2 VideoRoom: remote publishers (plain RTP in: 1.1.2
//                      cannot decrypt SRTP there), WebRTC subscribers (ICE + DTLS-SRTP out)
// Join time: Chromium pages against an in-process edge (test harness); the third
// participant's `join` → first decoded remote video frame, p50/p95.
//
// Options: --quick (or BENCH_QUICK=1): few short steps, 3 joins, for a reviewer's
// rerun in a few minutes. --only=branchedge,janus,join … picks sections.
// --steps=10,20,30 --warmup=S --measure=S --joins=N override; --keep-going goes on
// through steps where the harness (not the server) saturated. BENCH_IP=… picks
// the address (Janus' ICE needs a non-loopback one; default: first non-internal IPv4).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '#common/paths';
import { ClientWorker } from './sfu-client.ts';
import { Generator, type GeneratorStats } from './sfu-generator.ts';
import { participantBitrate, PROFILE } from './sfu-media.ts';
import { OurSfu } from './sfu-ours.ts';
import {
  coreBusyPercent,
  corePlan,
  coreSpeed,
  coreTimes,
  pin,
  processCpuMs,
  processRssMb,
  unpin,
} from './sfu-proc.ts';
import { masterKeyBase64, randomMasterKey, type SrtpSuite } from './sfu-srtp.ts';
import { JanusSfu } from './janus/rooms.ts';
import { janusAvailable } from './janus/server.ts';
import { measureJoinTimes, type JoinTimeResult } from './sfu-join.ts';

const CPU_LIMIT = 85;
const LOSS_LIMIT = 1;
/** Above this share of the load core, the harness (generator + receivers + this process) is the bottleneck. */
const LOAD_CORE_LIMIT = 90;
/** Other processes' share of a measured core above which a step is flagged noisy. */
const NOISE_LIMIT = 10;
const GENERATOR_LATE_LIMIT_MS = 150;
const PUBLISHED_CONSUMERS_PER_WORKER = 500;
const OUTPUT_SUITE: SrtpSuite = 'AEAD_AES_256_GCM';

// ───────────────────────────── options ─────────────────────────────

const argv = process.argv.slice(2);
const arg = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const quick = argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const only = new Set((arg('only') ?? 'branchedge,branchedge-rtp-in,janus,join').split(','));
const steps = (arg('steps') ?? (quick ? '5,15,30' : '10,20,30,40,50,60,70,80')).split(',').map(Number);
const warmupS = Number(arg('warmup') ?? (quick ? 3 : 6));
const measureS = Number(arg('measure') ?? (quick ? 6 : 15));
const joins = Number(arg('joins') ?? (quick ? 3 : 8));
/** Go on through invalid steps (the harness saturated): for exploring on a shared machine. */
const keepGoing = argv.includes('--keep-going');

function benchIp(): string {
  if (process.env.BENCH_IP) return process.env.BENCH_IP;
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

// ───────────────────────────── measurement ─────────────────────────────

interface Target {
  /** Set when the server died during the run. */
  readonly failure?: string | undefined;
  addRooms(count: number): Promise<void>;
  /** The server's own account of its CPU time (mediasoup: getResourceUsage), if it has one. */
  reportedCpuMs?(): Promise<number>;
  serverPid: number;
  stop(): Promise<void>;
}

export interface StepResult {
  rooms: number;
  /** Streams forwarded to receivers (12 per room). */
  streams: number;
  /** Server CPU, % of one core, from /proc (all threads). */
  serverCpuPct: number;
  /** BranchEdge: the worker's own figure (getResourceUsage), as a cross-check. */
  serverCpuPctReported?: number;
  /** Load on the server's core from anything else (other processes on this machine). */
  otherOnServerCorePct: number;
  loadCorePct: number;
  generatorCpuPct: number;
  clientCpuPct: number;
  /** This process (for BranchEdge: the edge-side Node work — room logic, audio taps). */
  controllerCpuPct: number;
  forwardedPps: number;
  nominalPps: number;
  deliveredPct: number;
  lossPct: number;
  stalledStreams: number;
  generatorMaxLateMs: number;
  cpuPctPerStream: number;
  cpuUsPerPacket: number;
  /** Resident memory of the server process (a growing figure means a backlog somewhere). */
  serverRssMb: number;
  /**
   * Why the step says nothing about the server, if so: the load core saturated or the
   * generator fell behind (then loss and CPU are the harness's, not the SFU's).
   */
  invalid?: string;
  /** Other processes used the measured cores (a shared machine): figures are indicative only. */
  noisy?: boolean;
  pass: boolean;
}

interface ScenarioResult {
  id: string;
  label: string;
  input: string;
  output: string;
  steps: StepResult[];
  /** Largest measured N that passed (< 85 % of a core, < 1 % loss, nothing stalled). */
  largestPassingRooms: number | null;
  /** N where a straight line through the passing steps' CPU reaches 85 %. */
  estimatedRoomsAt85: number | null;
  cpuPctPerStream: number | null;
  cpuUsPerPacket: number | null;
  /** Set when the ramp stopped because the harness, not the server, ran out. */
  limitedBy?: string;
  /** Server core speed (SHA-256 rounds/s) just before and after the scenario: drift check. */
  coreSpeed?: { before: number; after: number };
  error?: string;
}

/** Rejects if `p` takes longer than `ms`: a stuck step must end the scenario, not the benchmark. */
function withTimeout<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what())), ms))),
  ]);
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

/** Nominal forwarded packets/s per room: each of 3 participants receives 2 × (audio + top video layer). */
function nominalPpsPerRoom(): number {
  const audio = 1000 / PROFILE.audio.ptimeMs;
  const top = PROFILE.video.layers.at(-1)!.packets * PROFILE.video.fps;
  return 3 * 2 * (audio + top);
}

async function measureStep(
  target: Target,
  rooms: number,
  client: ClientWorker,
  generator: Generator,
  plan: ReturnType<typeof corePlan>,
): Promise<StepResult> {
  await sleep(warmupS);
  await generator.stats(); // resets the lateness maximum
  // CPU times come from /proc, read synchronously at one instant: a request over a worker's
  // channel can wait behind its backlog and would skew the interval. mediasoup's own figure
  // (getResourceUsage over the channel) is kept beside it for BranchEdge as a cross-check.
  const snapshot = async () => {
    const reported = target.reportedCpuMs ? await target.reportedCpuMs() : undefined;
    const t = performance.now();
    return {
      t,
      server: processCpuMs(target.serverPid),
      gen: processCpuMs(generator.pid),
      client: processCpuMs(client.pid),
      self: process.cpuUsage(),
      cores: coreTimes(),
      reported,
    };
  };
  await client.sample();
  const opened = performance.now();
  const a = await snapshot();
  await sleep(measureS);
  const w = await client.sample();
  const closed = performance.now();
  const g: GeneratorStats = await generator.stats();
  const b = await snapshot();
  const ms = b.t - a.t;
  const rate = (x: number, y: number) => (100 * (y - x)) / ms;
  const busy = coreBusyPercent(a.cores, b.cores);
  const serverCpuPct = rate(a.server, b.server);
  const streams = rooms * 12;
  const forwardedPps = (w.received * 1000) / (closed - opened);
  const selfMs = (b.self.user - a.self.user + b.self.system - a.self.system) / 1000;
  const nominalPps = rooms * nominalPpsPerRoom();
  const step: StepResult = {
    rooms,
    streams,
    serverCpuPct: r1(serverCpuPct),
    otherOnServerCorePct: plan.pinned ? r1(Math.max(0, (busy[plan.server] ?? 0) - serverCpuPct)) : NaN,
    loadCorePct: plan.pinned ? r1(busy[plan.load] ?? 0) : NaN,
    ...(a.reported !== undefined && b.reported !== undefined
      ? { serverCpuPctReported: r1(rate(a.reported, b.reported)) }
      : {}),
    generatorCpuPct: r1(rate(a.gen, b.gen)),
    clientCpuPct: r1(rate(a.client, b.client)),
    controllerCpuPct: r1((100 * selfMs) / ms),
    forwardedPps: Math.round(forwardedPps),
    nominalPps,
    deliveredPct: r1((100 * forwardedPps) / nominalPps),
    lossPct: r2(w.lossPercent),
    stalledStreams: w.stalled,
    generatorMaxLateMs: Math.round(g.maxLateMs),
    cpuPctPerStream: r2(serverCpuPct / streams),
    serverRssMb: processRssMb(target.serverPid),
    cpuUsPerPacket: r1(((b.server - a.server) * 1000 * ((closed - opened) / ms)) / Math.max(1, w.received)),
    pass: false,
  };
  const ours = step.generatorCpuPct + step.clientCpuPct + step.controllerCpuPct;
  if (ours > LOAD_CORE_LIMIT) step.invalid = `harness uses ${r1(ours)} % of the load core`;
  else if (step.generatorMaxLateMs > GENERATOR_LATE_LIMIT_MS)
    step.invalid = `generator ${step.generatorMaxLateMs} ms late`;
  // Other processes on the measured cores make the figures unreliable (not invalid: they are still measured).
  step.noisy =
    plan.pinned && (step.otherOnServerCorePct > NOISE_LIMIT || step.loadCorePct - ours > NOISE_LIMIT);
  step.pass = step.serverCpuPct < CPU_LIMIT && step.lossPct < LOSS_LIMIT && step.stalledStreams === 0;
  return step;
}

function summarize(
  steps: StepResult[],
): Pick<ScenarioResult, 'largestPassingRooms' | 'estimatedRoomsAt85' | 'cpuPctPerStream' | 'cpuUsPerPacket'> {
  const passing = steps.filter((s) => s.pass && !s.invalid);
  const largest = passing.length ? Math.max(...passing.map((s) => s.rooms)) : null;
  // Least-squares line CPU = a + b·N through the valid steps without loss problems.
  const fit = steps.filter((s) => !s.invalid && s.lossPct < LOSS_LIMIT && s.stalledStreams === 0);
  let estimate: number | null = null;
  if (fit.length >= 2) {
    const n = fit.length;
    const mx = fit.reduce((t, s) => t + s.rooms, 0) / n;
    const my = fit.reduce((t, s) => t + s.serverCpuPct, 0) / n;
    const sxy = fit.reduce((t, s) => t + (s.rooms - mx) * (s.serverCpuPct - my), 0);
    const sxx = fit.reduce((t, s) => t + (s.rooms - mx) ** 2, 0);
    const slope = sxx > 0 ? sxy / sxx : 0;
    if (slope > 0) estimate = Math.floor((CPU_LIMIT - (my - slope * mx)) / slope);
  }
  const ref = passing.at(-1) ?? steps[0];
  return {
    largestPassingRooms: largest,
    estimatedRoomsAt85: estimate,
    cpuPctPerStream: ref?.cpuPctPerStream ?? null,
    cpuUsPerPacket: ref?.cpuUsPerPacket ?? null,
  };
}

async function runScenario(
  id: string,
  label: string,
  io: { input: string; output: string },
  start: (deps: {
    client: ClientWorker;
    generator: Generator;
    ip: string;
    plan: ReturnType<typeof corePlan>;
  }) => Promise<{ target: Target; srtp?: { suite: SrtpSuite; keyBase64: string } }>,
): Promise<ScenarioResult> {
  const plan = corePlan();
  const ip = benchIp();
  const result: ScenarioResult = {
    id,
    label,
    ...io,
    steps: [],
    largestPassingRooms: null,
    estimatedRoomsAt85: null,
    cpuPctPerStream: null,
    cpuUsPerPacket: null,
  };
  const speedBefore = coreSpeed(plan.pinned ? plan.server : undefined);
  console.log(`\n▶ ${label} (server core speed ${speedBefore} SHA-256/s)`);
  const generator = await Generator.start(plan.pinned ? plan.load : undefined);
  const client = await ClientWorker.start(ip, plan.pinned ? plan.load : undefined);
  let target: Target | undefined;
  try {
    const started = await start({ client, generator, ip, plan });
    target = started.target;
    await generator.start(started.srtp);
    let rooms = 0;
    let failures = 0;
    for (const n of steps) {
      const add = n - rooms;
      await withTimeout(
        target.addRooms(add),
        60_000 + 3000 * add,
        () =>
          `adding rooms ${rooms + 1}–${n} did not finish (server RSS ${processRssMb(target!.serverPid)} MB; for BranchEdge a growing RSS means the edge process is not keeping up with the audio taps)`,
      );
      rooms = n;
      const step = await withTimeout(
        measureStep(target, rooms, client, generator, plan),
        (warmupS + measureS) * 1000 + 90_000,
        () => `measuring ${n} rooms did not finish (server RSS ${processRssMb(target!.serverPid)} MB)`,
      );
      if (target.failure || client.diedWith) throw new Error(target.failure ?? client.diedWith);
      result.steps.push(step);
      console.log(
        `  ${String(rooms).padStart(3)} rooms: server ${String(step.serverCpuPct).padStart(5)} %  loss ${String(step.lossPct).padStart(5)} %  ` +
          `${String(step.forwardedPps).padStart(6)} pkt/s (${step.deliveredPct} % of nominal)  stalled ${step.stalledStreams}  ` +
          `load core ${step.loadCorePct} %  other on server core ${step.otherOnServerCorePct} %  ` +
          (step.invalid ? `NOT VALID (${step.invalid})` : step.pass ? 'pass' : 'FAIL') +
          (step.noisy ? ' (noisy: other load on the cores)' : ''),
      );
      if (step.invalid && !keepGoing) {
        result.limitedBy = `the load generator/receivers at ${rooms} rooms (${step.invalid}): the server's limit is above the last valid step`;
        break;
      }
      if (!step.pass && ++failures >= 2) break;
      if (step.serverCpuPct > 98) break;
    }
  } catch (err) {
    result.error = [err instanceof Error ? err.message : String(err), client.diedWith]
      .filter(Boolean)
      .join(' — ');
    console.error(`  ✗ ${result.error}`);
  } finally {
    if (target) {
      const pid = target.serverPid;
      await withTimeout(target.stop(), 30_000, () => 'stop timed out').catch(() => {
        try {
          process.kill(pid, 'SIGKILL'); // our own server process, stuck
        } catch {
          // already gone
        }
      });
    }
    client.close();
    await generator.stop();
  }
  result.coreSpeed = { before: speedBefore, after: coreSpeed(plan.pinned ? plan.server : undefined) };
  Object.assign(result, summarize(result.steps));
  return result;
}

// ───────────────────────────── report ─────────────────────────────

function table(headers: string[], rows: Array<Array<string | number | null>>): string {
  const cells = rows.map((r) =>
    r.map((c) => (c === null || (typeof c === 'number' && Number.isNaN(c)) ? '—' : String(c))),
  );
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join(
    '\n',
  );
}

async function main(): Promise<void> {
  const plan = corePlan();
  const ip = benchIp();
  const bitrate = participantBitrate();
  const startedAt = new Date().toISOString();
  const loadBefore = os.loadavg();
  // This process (room logic, Janus signalling, stats) stays off the server's core.
  if (plan.pinned) pin(process.pid, plan.load);
  console.log(
    `bench:sfu${quick ? ' (quick)' : ''} — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}; ` +
      `server on core ${plan.server}, load on core ${plan.load}${plan.pinned ? '' : ' (NOT pinned: no taskset or 1 core)'}; address ${ip}`,
  );
  console.log(
    `per participant: Opus ${Math.round(bitrate.audio / 1000)} kbit/s + VP8 simulcast ${Math.round(bitrate.video / 1000)} kbit/s ` +
      `(${PROFILE.video.layers.map((l) => `${l.width}×${l.height}`).join(', ')} @${PROFILE.video.fps} fps), ${bitrate.packetsPerS} pkt/s; ` +
      `steps ${steps.join(', ')} rooms, warm-up ${warmupS} s, measured ${measureS} s each`,
  );

  const scenarios: ScenarioResult[] = [];
  const notes: string[] = [];
  if (os.loadavg()[0]! > 1.5)
    notes.push(
      `machine not idle (load average ${os.loadavg()[0]!.toFixed(1)} at start): see otherOnServerCorePct; re-measure on an idle machine`,
    );

  if (only.has('branchedge')) {
    scenarios.push(
      await runScenario(
        'branchedge',
        'BranchEdge SFU — SRTP in, SRTP out (product load)',
        { input: `SRTP ${OUTPUT_SUITE}`, output: `SRTP ${OUTPUT_SUITE}` },
        async ({ client, generator, ip, plan }) => {
          const key = randomMasterKey(OUTPUT_SUITE);
          const input = { suite: OUTPUT_SUITE, keyBase64: masterKeyBase64(key) };
          const target = await OurSfu.start({
            listenIp: ip,
            core: plan.pinned ? plan.server : undefined,
            client,
            generator,
            input,
            outputSuite: OUTPUT_SUITE,
          });
          return { target, srtp: input };
        },
      ),
    );
  }
  if (only.has('branchedge-rtp-in')) {
    scenarios.push(
      await runScenario(
        'branchedge-rtp-in',
        'BranchEdge SFU — plain RTP in, SRTP out (Janus-comparable)',
        { input: 'plain RTP', output: `SRTP ${OUTPUT_SUITE}` },
        async ({ client, generator, ip, plan }) => ({
          target: await OurSfu.start({
            listenIp: ip,
            core: plan.pinned ? plan.server : undefined,
            client,
            generator,
            outputSuite: OUTPUT_SUITE,
          }),
        }),
      ),
    );
  }
  if (only.has('janus')) {
    if (!janusAvailable()) notes.push('janus not installed: Janus scenario skipped');
    else if (ip.startsWith('127.'))
      notes.push(
        'no non-loopback IPv4 address: Janus (libnice) does not gather loopback candidates; Janus scenario skipped (set BENCH_IP)',
      );
    else
      scenarios.push(
        await runScenario(
          'janus',
          'Janus 1.1.2 VideoRoom — plain RTP in (remote publishers), DTLS-SRTP out (WebRTC subscribers)',
          { input: 'plain RTP', output: 'DTLS-SRTP (negotiated AEAD_AES_256_GCM)' },
          async ({ client, generator, ip, plan }) => ({
            target: await JanusSfu.start({
              listenIp: ip,
              core: plan.pinned ? plan.server : undefined,
              client,
              generator,
            }),
          }),
        ),
      );
  }

  let joinTime: JoinTimeResult | undefined;
  if (only.has('join')) {
    // Browsers and the edge may use every core here.
    if (plan.pinned) unpin(process.pid);
    console.log(
      `\n▶ Join time: ${joins} joins in Chromium (third participant joins two publishing participants)`,
    );
    try {
      joinTime = await measureJoinTimes(joins);
      console.log(
        `  join → first decoded remote video frame: p50 ${joinTime.p50Ms} ms, p95 ${joinTime.p95Ms} ms (n=${joinTime.samplesMs.length})`,
      );
    } catch (err) {
      notes.push(`join time failed: ${err instanceof Error ? err.message : String(err)}`);
      console.error(`  ✗ ${notes.at(-1)}`);
    }
  }

  // ── tables
  for (const s of scenarios) {
    console.log(
      `\n${s.label}${s.error ? ` — stopped: ${s.error}` : ''}${s.limitedBy ? ` — ramp stopped by ${s.limitedBy}` : ''}`,
    );
    console.log(
      table(
        [
          'rooms',
          'streams',
          'server CPU %',
          'loss %',
          'fwd pkt/s',
          'delivered %',
          'stalled',
          'CPU %/stream',
          'µs/pkt',
          'gen CPU %',
          'client CPU %',
          'ctrl CPU %',
          'other on srv core %',
          'server RSS MB',
          'pass',
        ],
        s.steps.map((x) => [
          x.rooms,
          x.streams,
          x.serverCpuPct,
          x.lossPct,
          x.forwardedPps,
          x.deliveredPct,
          x.stalledStreams,
          x.cpuPctPerStream,
          x.cpuUsPerPacket,
          x.generatorCpuPct,
          x.clientCpuPct,
          x.controllerCpuPct,
          x.otherOnServerCorePct,
          x.serverRssMb,
          (x.invalid ? 'invalid' : x.pass ? 'yes' : 'no') + (x.noisy ? ' (noisy)' : ''),
        ]),
      ),
    );
  }
  const comparison = scenarios.map((s) => ({
    scenario: s.id,
    label: s.label,
    input: s.input,
    output: s.output,
    roomsPerCoreMeasured: s.largestPassingRooms,
    /** Some measured step shared its cores with other processes. */
    noisy: s.steps.some((x) => x.noisy),
    /** true: the harness ran out first; the server carries at least roomsPerCoreMeasured. */
    lowerBound: Boolean(s.limitedBy) && s.steps.every((x) => x.invalid || x.pass),
    roomsPerCoreEstimated: s.estimatedRoomsAt85,
    consumersAtLimit: s.largestPassingRooms === null ? null : s.largestPassingRooms * 12,
    cpuPctPerForwardedStream: s.cpuPctPerStream,
    cpuUsPerForwardedPacket: s.cpuUsPerPacket,
  }));
  if (comparison.length)
    console.log(
      `\nRooms per core at < ${LOSS_LIMIT} % loss and < ${CPU_LIMIT} % CPU (three-party rooms, 12 forwarded streams each)`,
    );
  if (comparison.length)
    console.log(
      table(
        [
          'server',
          'in → out',
          'rooms/core (largest passing step)',
          'rooms/core (CPU line at 85 %)',
          'CPU % per forwarded stream',
          'µs CPU per forwarded packet',
        ],
        comparison.map((c) => [
          `${c.label.split(' — ')[0]!} (${c.scenario})${c.noisy ? ' *' : ''}`,
          `${c.input} → ${c.output}`,
          c.roomsPerCoreMeasured === null ? null : `${c.lowerBound ? '≥ ' : ''}${c.roomsPerCoreMeasured}`,
          c.roomsPerCoreEstimated,
          c.cpuPctPerForwardedStream,
          c.cpuUsPerForwardedPacket,
        ]),
      ),
    );
  const speeds = scenarios
    .flatMap((x) => (x.coreSpeed ? [x.coreSpeed.before, x.coreSpeed.after] : []))
    .filter(Number.isFinite);
  if (speeds.length >= 2) {
    const drift = (100 * (Math.max(...speeds) - Math.min(...speeds))) / Math.max(...speeds);
    if (drift > 10)
      notes.push(
        `the server core's speed varied by ${Math.round(drift)} % during the run (coreSpeed per scenario): differences of that size between scenarios are not significant`,
      );
  }
  if (comparison.some((c) => c.noisy))
    notes.push('* other processes used the measured cores during these steps: indicative only');
  const ours = scenarios.find((s) => s.id === 'branchedge');
  if (ours?.estimatedRoomsAt85 != null) {
    const consumers = ours.estimatedRoomsAt85 * 12;
    notes.push(
      `published mediasoup figure ~${PUBLISHED_CONSUMERS_PER_WORKER} consumers/worker (~${Math.round(PUBLISHED_CONSUMERS_PER_WORKER / 12)} three-party rooms); ` +
        `here ~${consumers} forwarded streams (+${ours.estimatedRoomsAt85 * 3} audio-tap consumers) ≈ ${ours.estimatedRoomsAt85} rooms per worker core at ${CPU_LIMIT} % (CPU line)` +
        (ours.steps.some((x) => x.noisy) ? ' — indicative only: measured on a busy machine' : ''),
    );
  }
  if (joinTime)
    notes.push(
      `join → first frame p50 ${joinTime.p50Ms} ms / p95 ${joinTime.p95Ms} ms (mediasoup apps on a LAN ~250 ms; LiveKit's published p50 1.7–2.9 s)`,
    );
  for (const n of notes) console.log(`note: ${n}`);

  const out = {
    benchmark: 'sfu',
    startedAt,
    quick,
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      loadAverageAtStart: loadBefore,
      loadAverageAtEnd: os.loadavg(),
    },
    conditions: {
      address: ip,
      pinned: plan.pinned,
      serverCore: plan.server,
      loadCore: plan.load,
      steps,
      warmupS,
      measureS,
      limits: { cpuPct: CPU_LIMIT, lossPct: LOSS_LIMIT },
      participant: {
        audioBps: Math.round(bitrate.audio),
        videoBps: Math.round(bitrate.video),
        packetsPerS: bitrate.packetsPerS,
        layers: PROFILE.video.layers,
      },
      receivers:
        'mediasoup transports on a client worker pinned to the load core; top simulcast layer; no NACK, no BWE',
    },
    scenarios,
    comparison,
    joinTime,
    notes,
  };
  const dir = path.join(repoRoot, 'bench-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'sfu.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log(`\nwrote bench-results/sfu.json`);
}

await main();
process.exit(0);
