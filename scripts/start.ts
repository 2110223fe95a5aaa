// Runs BranchEdge on one machine for a demo branch: a private Redis (AOF on),
// the cloud, the branch's edge node, and the client served by both. Prints the
// URL for each role and the demo logins; Ctrl-C stops everything in order.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadEnvFile } from '#common/config';
import { repoRoot, varDir } from '#common/paths';
import { seedDemo } from '../server/src/admin/seed-demo.ts';
import { startRedis, type RedisHandle } from './lib/redis-server.ts';

loadEnvFile();
const CLOUD_PORT = Number(process.env.CLOUD_PORT ?? 8080);
const EDGE_PORT = Number(process.env.EDGE_PORT ?? 8443);
const REDIS_PORT = Number(process.env.REDIS_PORT ?? 6390);
const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');

function say(line: string): void {
  process.stdout.write(`\x1b[1m[start]\x1b[0m ${line}\n`);
}

interface Service {
  name: string;
  child?: ChildProcess;
  restarts: number;
  /** Set once the service answered its health check; until then a crash aborts the start. */
  ready: boolean;
}

/** Runs a process with prefixed output; restarts it (with back-off) if it dies unexpectedly. */
function supervise(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
  stopping: () => boolean,
  onFatal: (why: string) => void,
): Service {
  const service: Service = { name, restarts: 0, ready: false };
  const launch = () => {
    const child = spawn(tsx, [script], {
      cwd: repoRoot,
      env: { ...process.env, LOG_PRETTY: process.env.LOG_PRETTY ?? '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    service.child = child;
    const prefix = `\x1b[36m[${name}]\x1b[0m `;
    for (const stream of [child.stdout!, child.stderr!]) {
      let pending = '';
      stream.on('data', (chunk: Buffer) => {
        const lines = (pending + chunk.toString()).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) process.stdout.write(prefix + line + '\n');
      });
    }
    child.on('exit', (code, signal) => {
      if (stopping()) return;
      if (!service.ready) return onFatal(`${name} failed to start (${signal ?? code}); see its log above`);
      service.restarts++;
      const delay = Math.min(10_000, 500 * 2 ** Math.min(service.restarts, 5));
      say(`${name} exited (${signal ?? code}); restarting in ${delay} ms`);
      setTimeout(launch, delay);
    });
  };
  launch();
  return service;
}

async function waitReady(name: string, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${name} not ready at ${url} after ${timeoutMs / 1000} s (${last})`);
}

async function main(): Promise<void> {
  let stopping = false;
  const services: Service[] = [];
  let redis: RedisHandle | undefined;
  const stop = async (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping`);
    for (const s of [...services].reverse()) {
      const child = s.child;
      if (!child || child.exitCode !== null) continue;
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      });
      say(`${s.name} stopped`);
    }
    await redis?.stop();
    say('redis stopped; bye');
    process.exit(exitCode);
  };
  const fatal = (why: string) => void stop(why, 1);
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  try {
    const redisUrl =
      process.env.REDIS_URL ?? (redis = await startRedis(path.join(varDir, 'redis'), REDIS_PORT)).url;
    say(`redis ready at ${redisUrl}${redis ? ` (data in var/redis, append-only file on)` : ' (external)'}`);

    const demo = await seedDemo({ redisUrl });
    const keyFile = path.join(varDir, 'demo', `${demo.edgeId}.key`);
    mkdirSync(path.dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, demo.edgeKey, { mode: 0o600 });
    chmodSync(keyFile, 0o600);
    say(`demo branch ${demo.branchId} with edge ${demo.edgeId} seeded`);

    const cloudUrl = `http://localhost:${CLOUD_PORT}`;
    const edgeUrl = `http://localhost:${EDGE_PORT}`;
    services.push(
      supervise(
        'cloud',
        'server/src/main.ts',
        { CLOUD_PORT: String(CLOUD_PORT), REDIS_URL: redisUrl },
        () => stopping,
        fatal,
      ),
    );
    await waitReady('cloud', `${cloudUrl}/readyz`);
    services[0]!.ready = true;
    services.push(
      supervise(
        'edge',
        'edge-node/src/main.ts',
        {
          EDGE_ID: demo.edgeId,
          BRANCH_ID: demo.branchId,
          EDGE_KEY_FILE: keyFile,
          CLOUD_URL: cloudUrl,
          EDGE_PORT: String(EDGE_PORT),
          EDGE_PUBLIC_URL: edgeUrl,
        },
        () => stopping,
        fatal,
      ),
    );
    await waitReady('edge', `${edgeUrl}/healthz`);
    services[1]!.ready = true;

    const lines = [
      '',
      'BranchEdge is running. Open:',
      `  Start page ............ ${cloudUrl}/`,
      `  Account manager ....... ${cloudUrl}/manager`,
      `  Remote expert ......... ${cloudUrl}/expert`,
      `  Compliance officer .... ${cloudUrl}/compliance`,
      `  Operations ............ ${cloudUrl}/ops`,
      `  In-branch devices ..... ${edgeUrl}/  (the edge serves the client too)`,
      `  Health ................ ${cloudUrl}/readyz  ${edgeUrl}/readyz  ${edgeUrl}/metrics`,
      '',
      'Demo logins (username / password):',
      ...demo.accounts.map((a) => `  ${a.role.padEnd(11)} ${a.username} / ${a.password}`),
      '',
      'Customers join from the invite link or QR code the manager creates. Ctrl-C stops everything.',
      '',
    ];
    writeFileSync(path.join(varDir, 'demo', 'urls.txt'), lines.join('\n'));
    for (const line of lines) say(line);
  } catch (err) {
    await stop(`start failed: ${(err as Error).message}`, 1);
  }
}

main().catch((err: Error) => {
  process.stderr.write(`start failed: ${err.message}\n`);
  process.exit(1);
});
