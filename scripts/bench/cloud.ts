// `npm run bench:cloud`: socket.io signaling throughput and relay latency
// through the cloud with 1 and 2 instances. Participants send `call:signal`
// requests; the cloud relays each to the edge hosting the call and returns the
// edge's answer (participant → cloud → edge → cloud → participant). With 2
// instances the participants sit on instance B and the edge on A, so every
// request also crosses Redis twice (adapter). Instances run as child processes;
// Redis is a throwaway redis-server. Prints a table, writes bench-results/cloud.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Socket } from 'socket.io-client';
import { repoRoot } from '#common/paths';
import type { Call } from '#protocol/api';
import type { CallJoinInfo, CallNotify } from '#protocol/control';
import { startRedis } from '../../test/helpers/redis-server.ts';
import {
  api,
  call,
  connectClient,
  login,
  ScriptedEdge,
  seedBranchWithEdge,
  startCloud,
  uniquePrefix,
  waitFor,
  withServices,
  type CloudHandle,
} from '../../test/helpers/cloud.ts';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 20);
const PER_CLIENT = Number(process.env.BENCH_REQUESTS ?? 250);
const IDLE_SAMPLES = Number(process.env.BENCH_IDLE_SAMPLES ?? 300);
const NOTIFY_SAMPLES = Number(process.env.BENCH_NOTIFY_SAMPLES ?? 300);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};
const r2 = (x: number) => Math.round(x * 100) / 100;

interface ScenarioResult {
  instances: number;
  clients: number;
  requests: number;
  msgsPerS: number;
  loadedP50Ms: number;
  loadedP95Ms: number;
  idleP50Ms: number;
  idleP95Ms: number;
  notifyP50Ms: number;
  notifyP95Ms: number;
}

async function scenario(redisUrl: string, instances: 1 | 2): Promise<ScenarioResult> {
  const prefix = uniquePrefix('bench');
  const key = await seedBranchWithEdge(redisUrl, prefix, 'b1', 'e1');
  await withServices(redisUrl, prefix, async (s) => {
    await s.staff.create({
      username: 'mgr',
      password: 'manager-pass',
      displayName: 'M',
      role: 'manager',
      branchId: 'b1',
    });
  });
  const env = {
    LOG_LEVEL: 'error',
    EDGE_HEARTBEAT_INTERVAL_MS: '5000',
    EDGE_OFFLINE_AFTER_MS: '30000',
    SWEEP_INTERVAL_MS: '1000',
    RELAY_TIMEOUT_MS: '10000',
  };
  const clouds: CloudHandle[] = [];
  const sockets: Socket[] = [];
  let edge: ScriptedEdge | undefined;
  try {
    for (let i = 0; i < instances; i++)
      clouds.push(await startCloud({ redisUrl, prefix, mode: 'child', instanceId: `bench-${i}`, env }));
    const edgeCloud = clouds[0]!;
    const clientCloud = clouds[instances - 1]!;
    edge = new ScriptedEdge({
      cloudUrl: edgeCloud.url,
      edgeId: 'e1',
      branchId: 'b1',
      key,
      heartbeatMs: 5000,
      maxCalls: 1000,
    });
    await edge.start();
    const mgr = await login(clientCloud.url, 'mgr', 'manager-pass');
    const created = await api<Call>(clientCloud.url, 'POST', '/api/v1/calls', {
      token: mgr.accessToken,
      body: {},
    });
    const callId = created.body.id;
    const joins: CallJoinInfo[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const s = await connectClient(clientCloud.url, mgr.accessToken);
      sockets.push(s);
      joins.push(await call<CallJoinInfo>(s, 'call:join', { callId }));
    }
    const signal = async (s: Socket) => {
      const t0 = performance.now();
      await call(s, 'call:signal', {
        callId,
        request: { method: 'produceData', data: { label: 'x'.repeat(64) } },
      });
      return performance.now() - t0;
    };

    // Warm-up, then unloaded latency: one request at a time.
    for (let i = 0; i < 50; i++) await signal(sockets[0]!);
    const idle: number[] = [];
    for (let i = 0; i < IDLE_SAMPLES; i++) idle.push(await signal(sockets[0]!));

    // Loaded: every client keeps one request in flight (closed loop).
    const loaded: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      sockets.map(async (s) => {
        for (let i = 0; i < PER_CLIENT; i++) loaded.push(await signal(s));
      }),
    );
    const elapsedS = (performance.now() - t0) / 1000;

    // Edge → participant notifications (one way; same machine clock).
    const notify: number[] = [];
    const target = sockets[0]!;
    target.on('call:notify', (n: CallNotify) =>
      notify.push(Date.now() - (n.notification as { sentAt: number }).sentAt),
    );
    for (let i = 0; i < NOTIFY_SAMPLES; i++) {
      const before = notify.length;
      edge.notify(callId, joins[0]!.participantId, { method: 'ping', sentAt: Date.now() });
      await waitFor(() => notify.length > before, 5000, 'notification', 1);
    }

    return {
      instances,
      clients: CLIENTS,
      requests: loaded.length,
      msgsPerS: Math.round(loaded.length / elapsedS),
      loadedP50Ms: r2(pct(loaded, 50)),
      loadedP95Ms: r2(pct(loaded, 95)),
      idleP50Ms: r2(pct(idle, 50)),
      idleP95Ms: r2(pct(idle, 95)),
      notifyP50Ms: r2(pct(notify, 50)),
      notifyP95Ms: r2(pct(notify, 95)),
    };
  } finally {
    for (const s of sockets) s.close();
    edge?.stop();
    await Promise.all(clouds.map((c) => c.stop()));
  }
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'branchedge-bench-redis-'));
const redis = await startRedis(dataDir);
try {
  const results: ScenarioResult[] = [];
  for (const n of [1, 2] as const) {
    console.error(`running ${n} instance(s)…`);
    results.push(await scenario(redis.url, n));
  }
  console.log('\nsignaling relay through the cloud (participant → cloud → edge → cloud → participant)');
  console.table(
    results.map((r) => ({
      instances: r.instances,
      clients: r.clients,
      requests: r.requests,
      'msgs/s': r.msgsPerS,
      'loaded p50 ms': r.loadedP50Ms,
      'loaded p95 ms': r.loadedP95Ms,
      'idle p50 ms': r.idleP50Ms,
      'idle p95 ms': r.idleP95Ms,
      'edge→participant p95 ms': r.notifyP95Ms,
    })),
  );
  const out = {
    bench: 'cloud',
    at: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      node: process.version,
      note: 'clients, edge, cloud instances and Redis share this machine',
    },
    params: {
      clients: CLIENTS,
      requestsPerClient: PER_CLIENT,
      idleSamples: IDLE_SAMPLES,
      notifySamples: NOTIFY_SAMPLES,
    },
    results,
  };
  mkdirSync(path.join(repoRoot, 'bench-results'), { recursive: true });
  writeFileSync(path.join(repoRoot, 'bench-results', 'cloud.json'), JSON.stringify(out, null, 2) + '\n');
  console.log('wrote bench-results/cloud.json');
} finally {
  await redis.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
