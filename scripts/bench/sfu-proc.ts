// Process plumbing for the SFU benchmark: CPU time of any process from /proc,
// per-core busy time (to see other load on the cores we measure on), pinning
// with taskset (util-linux), and spawning TypeScript children on a given core.
import { execFileSync, spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';

const CLK_TCK = 100; // Linux USER_HZ on every mainstream build

/** user+system CPU of a process (all its threads) in ms, or NaN if it is gone. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces: fields start after the closing parenthesis
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** Resident set size of a process in MB (NaN if it is gone). */
export function processRssMb(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : NaN;
  } catch {
    return NaN;
  }
}

/** Busy and total jiffies per core, from /proc/stat. */
export function coreTimes(): Array<{ busy: number; total: number }> {
  const out: Array<{ busy: number; total: number }> = [];
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const v = m[2]!.trim().split(/\s+/).map(Number);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    out[Number(m[1])] = { busy: total - idle, total };
  }
  return out;
}

/** Percent busy per core between two coreTimes() samples. */
export function coreBusyPercent(a: ReturnType<typeof coreTimes>, b: ReturnType<typeof coreTimes>): number[] {
  return b.map((x, i) => {
    const y = a[i];
    if (!y || x.total === y.total) return 0;
    return (100 * (x.busy - y.busy)) / (x.total - y.total);
  });
}

export const TASKSET = existsSync('/usr/bin/taskset') ? '/usr/bin/taskset' : undefined;

/** Cores to use: the measured server on one, everything else (load, clients) on another. */
export function corePlan(): { server: number; load: number; pinned: boolean } {
  const n = os.cpus().length;
  if (!TASKSET || n < 2) return { server: 0, load: 0, pinned: false };
  return { server: 0, load: 1, pinned: true };
}

/** Pins a process and all its threads to one core. */
export function pin(pid: number, core: number): boolean {
  if (!TASKSET) return false;
  try {
    execFileSync(TASKSET, ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Lets a process (all its threads) run on every core again. */
export function unpin(pid: number): boolean {
  if (!TASKSET) return false;
  try {
    execFileSync(TASKSET, ['-a', '-p', '-c', `0-${os.cpus().length - 1}`, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Spawns `command args` on `core` (taskset -c) when pinning is possible. */
export function spawnOnCore(
  core: number | undefined,
  command: string,
  args: string[],
  stdio: StdioOptions,
  env?: NodeJS.ProcessEnv,
): ChildProcess {
  if (core === undefined || !TASKSET) return spawn(command, args, { stdio, env: env ?? process.env });
  return spawn(TASKSET, ['-c', String(core), command, ...args], { stdio, env: env ?? process.env });
}

/**
 * How fast a core is right now: SHA-256 rounds over 16 KB per second in a child pinned to `core`
 * (about a second). A shared VM's cores speed up and slow down with the host's load;
 * comparing this before each scenario shows drift that would otherwise pass for a difference
 * between servers.
 */
export function coreSpeed(core: number | undefined): number {
  const script =
    "const c=require('node:crypto');const b=Buffer.alloc(16384,7);let n=0;const t=performance.now();" +
    "while(performance.now()-t<300){c.createHash('sha256').update(b).digest();n++}" +
    'console.log(Math.round(n/((performance.now()-t)/1000)))';
  const args = ['-e', script];
  const once = () => {
    const out =
      core !== undefined && TASKSET
        ? spawnSync(TASKSET, ['-c', String(core), process.execPath, ...args], { encoding: 'utf8' })
        : spawnSync(process.execPath, args, { encoding: 'utf8' });
    return Number(out.stdout.trim()) || 0;
  };
  // The best of three: interference only ever makes a round slower.
  return Math.max(once(), once(), once()) || NaN;
}

/** Waits for a process to exit (or kills it after `graceMs`). */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 5000,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
