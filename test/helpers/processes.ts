// Cloud and edge as real child processes (`tsx server/src/main.ts`,
// `tsx edge-node/src/main.ts`) whose stdout/stderr — their pino logs — are kept
// for inspection, and which can be killed and started again on the same ports.
// For fault tests (kill -9 an edge mid-call) and log scans (no secrets in logs).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { createServer } from 'node:net';
import path from 'node:path';
import { repoRoot } from '#common/paths';
import { processAlive } from '#common/processes';
import { FAST_ENV, TEST_JWT_SECRET } from './cloud.ts';
import { freePort } from './ports.ts';

export interface ChildService {
  url: string;
  port: number;
  readonly child: ChildProcess;
  /** Everything the process wrote so far (stdout + stderr). */
  output(): string;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL and wait (a crash). */
  kill(): Promise<void>;
}

/** A port free for both UDP and TCP (a mediasoup WebRtcServer binds both). */
export async function freeUdpTcpPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = dgram.createSocket('udp4');
      s.once('error', reject);
      s.bind(0, '127.0.0.1', () => {
        const p = s.address().port;
        s.close(() => resolve(p));
      });
    });
    const tcpFree = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (tcpFree) return port;
  }
  throw new Error('no port free for both UDP and TCP');
}

async function waitHealthy(
  url: string,
  child: ChildProcess,
  out: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`process exited (${child.exitCode ?? child.signalCode}):\n${out().slice(-3000)}`);
    const ok = await fetch(`${url}/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`${url}/healthz not up within ${timeoutMs} ms:\n${out().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function launch(script: string, env: Record<string, string>, port: number): ChildService {
  const chunks: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, script)], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.setEncoding('utf8').on('data', (d: string) => chunks.push(d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => chunks.push(d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    output: () => chunks.join(''),
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
  };
}

export async function spawnCloud(o: {
  redisUrl: string;
  prefix: string;
  env?: Record<string, string>;
  port?: number;
}): Promise<ChildService> {
  const port = o.port ?? (await freePort());
  const svc = launch(
    'server/src/main.ts',
    {
      REDIS_URL: o.redisUrl,
      REDIS_PREFIX: o.prefix,
      JWT_SECRET: TEST_JWT_SECRET,
      CLOUD_HOST: '127.0.0.1',
      CLOUD_PORT: String(port),
      CLOUD_INSTANCE_ID: `cloud-${port}`,
      SERVE_CLIENT: '0',
      LOG_LEVEL: 'warn',
      ...FAST_ENV,
      ...o.env,
    },
    port,
  );
  await waitHealthy(svc.url, svc.child, svc.output, 40_000);
  return svc;
}

export interface EdgeProcessOptions {
  /** HTTP/signaling port; reuse it to restart "the same" edge. */
  port?: number;
  /** UDP+TCP media port of worker 0; reuse it on restart. */
  rtcPort?: number;
  /** EDGE_DATA_DIR (archive, outbox); default a fresh temporary directory. Reuse it on restart. */
  dataDir?: string;
  env?: Record<string, string>;
}

export type EdgeProcess = ChildService & {
  rtcPort: number;
  dataDir: string;
  /** The edge's mediasoup workers. */
  workerPids(): number[];
  /** Every direct child (workers, recorders' ffmpeg, speech engines…). */
  childPids(): number[];
};

export async function spawnEdge(o: EdgeProcessOptions = {}): Promise<EdgeProcess> {
  const port = o.port ?? (await freePort());
  const rtcPort = o.rtcPort ?? (await freeUdpTcpPort());
  const dataDir = o.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'branchedge-edge-proc-'));
  const svc = launch(
    'edge-node/src/main.ts',
    {
      EDGE_ID: 'edge-test',
      BRANCH_ID: 'branch-test',
      CLOUD_URL: '',
      EDGE_HOST: '127.0.0.1',
      EDGE_PORT: String(port),
      RTC_LISTEN_IP: '127.0.0.1',
      RTC_PORT_BASE: String(rtcPort),
      SFU_WORKERS: '1',
      EDGE_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...o.env,
    },
    port,
  );
  await waitHealthy(svc.url, svc.child, svc.output, 60_000);
  const children = () => childPids(svc.child.pid ?? 0);
  return {
    ...svc,
    rtcPort,
    dataDir,
    childPids: children,
    workerPids: () => children().filter((pid) => processName(pid).startsWith('mediasoup-work')),
  };
}

/** Direct children of a process (the edge's mediasoup workers). */
export function childPids(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

export function processName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * Processes an edge started that outlive it — its recorders' ffmpeg, which end
 * by themselves a few seconds after their edge was killed — found by the edge's
 * spool directory in their command line (`/dev/shm/branchedge-<edgeId>-<edge pid>/…`).
 */
export function leftoversOf(edgePid: number, edgeId = 'edge-test'): number[] {
  return processesMentioning(`branchedge-${edgeId}-${edgePid}/`);
}

/** Processes whose command line contains `marker` (e.g. an in-process edge's spool directory). */
export function processesMentioning(marker: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Whether a process with this pid exists: the product's own check. */
export const isAlive = processAlive;

/** Waits until none of `pids` is alive (e.g. workers orphaned by a killed edge). */
export async function waitGone(pids: number[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const alive = isAlive;
  while (pids.some(alive)) {
    if (Date.now() > deadline) throw new Error(`processes ${pids.filter(alive).join(', ')} still alive`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
