// Cloud instances for tests: in-process (createCloud on port 0) or as a child
// process (`node --import tsx server/src/main.ts`, killable), each against the
// harness Redis under a fresh key prefix. Also: a REST helper, a /client socket
// helper, direct seeding through the services, and ScriptedEdge — a small client
// that speaks the edge-link contract (protocol/src/edge-link.ts) the way an edge does.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { io as ioClient, type Socket } from 'socket.io-client';
import type { LoginResponse } from '#protocol/api';
import type { Ack } from '#protocol/errors';
import type { CallAssigned, RunningConfig, EdgeHelloAck } from '#protocol/edge-link';
import { createLogger } from '#common/logger';
import { repoRoot } from '#common/paths';
import { createCloud, type Cloud } from '../../server/src/app.ts';
import { loadCloudConfig } from '../../server/src/config.ts';
import { connectRedis } from '../../server/src/redis/client.ts';
import { buildServices, type Services } from '../../server/src/services.ts';
import { freePort } from './ports.ts';

export const TEST_JWT_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

export function uniquePrefix(tag = 't'): string {
  return `${tag}-${randomUUID().slice(0, 8)}:`;
}

/** Fast timings so tests observe offline edges and offer timeouts quickly. Override per test. */
export const FAST_ENV: Record<string, string> = {
  EDGE_HEARTBEAT_INTERVAL_MS: '200',
  EDGE_OFFLINE_AFTER_MS: '1500',
  SWEEP_INTERVAL_MS: '100',
  DISPATCH_OFFER_TIMEOUT_MS: '3000',
  PRESENCE_TTL_MS: '5000',
  RELAY_TIMEOUT_MS: '3000',
  SHUTDOWN_GRACE_MS: '1000',
};

export interface CloudHandle {
  url: string;
  port: number;
  prefix: string;
  redisUrl: string;
  mode: 'in-process' | 'child';
  /** In-process only. */
  cloud?: Cloud;
  /** Child only. */
  child?: ChildProcess;
  stop(): Promise<void>;
  /** Child only: SIGKILL, no graceful shutdown (instance crash). */
  kill(): Promise<void>;
}

export interface StartCloudOptions {
  redisUrl: string;
  prefix?: string;
  mode?: 'in-process' | 'child';
  env?: Record<string, string>;
  instanceId?: string;
}

function cloudEnv(o: StartCloudOptions, prefix: string, port: number): Record<string, string> {
  return {
    REDIS_URL: o.redisUrl,
    REDIS_PREFIX: prefix,
    JWT_SECRET: TEST_JWT_SECRET,
    CLOUD_HOST: '127.0.0.1',
    CLOUD_PORT: String(port),
    CLOUD_INSTANCE_ID: o.instanceId ?? `cloud-${port || randomUUID().slice(0, 4)}`,
    SERVE_CLIENT: '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    ...FAST_ENV,
    ...o.env,
  };
}

export async function startCloud(o: StartCloudOptions): Promise<CloudHandle> {
  const prefix = o.prefix ?? uniquePrefix();
  if ((o.mode ?? 'in-process') === 'in-process') {
    const env = cloudEnv(o, prefix, 0);
    const config = loadCloudConfig({ ...process.env, ...env });
    const logger = createLogger('cloud-test', { level: env.LOG_LEVEL ?? 'warn' });
    const cloud = await createCloud({ config, logger });
    const port = await cloud.listen(0, '127.0.0.1');
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      prefix,
      redisUrl: o.redisUrl,
      mode: 'in-process',
      cloud,
      stop: () => cloud.close(),
      kill: () => Promise.reject(new Error('kill() needs mode child')),
    };
  }
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'server/src/main.ts')], {
    cwd: repoRoot,
    env: { ...process.env, ...cloudEnv(o, prefix, port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(
    async () => (await fetch(`${url}/healthz`).catch(() => null))?.ok === true,
    30_000,
    'cloud child /healthz',
  );
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return {
    url,
    port,
    prefix,
    redisUrl: o.redisUrl,
    mode: 'child',
    child,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
  };
}

export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Runs `fn` with the cloud's services bound to a direct Redis connection (seeding and inspecting state). */
export async function withServices<T>(
  redisUrl: string,
  prefix: string,
  fn: (s: Services) => Promise<T>,
): Promise<T> {
  const logger = createLogger('seed-test', { level: 'warn' });
  const config = loadCloudConfig({
    ...process.env,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    JWT_SECRET: TEST_JWT_SECRET,
  });
  const redis = await connectRedis(redisUrl, logger);
  try {
    return await fn(buildServices({ config, logger, redis: redis.data }));
  } finally {
    await redis.close();
  }
}

export interface ApiResult<T = unknown> {
  status: number;
  body: T;
}

export async function api<T = unknown>(
  baseUrl: string,
  method: string,
  pathname: string,
  opts: { token?: string; body?: unknown } = {},
): Promise<ApiResult<T>> {
  const res = await fetch(baseUrl + pathname, {
    method,
    headers: {
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
    },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export async function login(baseUrl: string, username: string, password: string): Promise<LoginResponse> {
  const res = await api<LoginResponse>(baseUrl, 'POST', '/api/v1/auth/login', {
    body: { username, password },
  });
  if (res.status !== 200)
    throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A connected `/client` socket (websocket transport), or rejects with the server's connect error. */
export function connectClient(baseUrl: string, token: string): Promise<Socket> {
  const socket = ioClient(`${baseUrl}/client`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err: Error & { data?: unknown }) => {
      socket.close();
      reject(err);
    });
  });
}

export async function request<T>(
  socket: Socket,
  event: string,
  payload: unknown,
  timeoutMs = 10_000,
): Promise<Ack<T>> {
  try {
    return (await socket.timeout(timeoutMs).emitWithAck(event, payload)) as Ack<T>;
  } catch (err) {
    throw new Error(`${event}: no ack within ${timeoutMs} ms`, { cause: err });
  }
}

/** Unwraps an ok ack or throws with the error body. */
export async function call<T>(socket: Socket, event: string, payload: unknown): Promise<T> {
  const ack = await request<T>(socket, event, payload);
  if (!ack.ok) throw new Error(`${event} failed: ${JSON.stringify(ack.error)}`);
  return ack.data;
}

export interface ScriptedEdgeOptions {
  cloudUrl: string;
  edgeId: string;
  branchId: string;
  key: string;
  running?: RunningConfig;
  heartbeatMs?: number;
  maxCalls?: number;
  busyness?: number;
  /** false: receive `edge:config` but do not apply it. */
  applyConfig?: boolean;
}

/**
 * Speaks the edge side of protocol/src/edge-link.ts: authenticates with its key,
 * says hello, heartbeats, applies desired configs, answers relay requests by
 * echoing them, and can push notifications and call events.
 */
export class ScriptedEdge {
  socket: Socket | undefined;
  running: RunningConfig;
  desired: RunningConfig | undefined;
  /** From the hello ack: verifies participants' join tokens. */
  callTokenPublicKey: string | undefined;
  readonly configsReceived: RunningConfig[] = [];
  readonly opened: { callId: string; participant: { id: string; role: string } }[] = [];
  readonly closed: { callId: string; participantId: string }[] = [];
  readonly assigned: string[] = [];
  /** Every `call:assigned` message as received. */
  readonly assignments: CallAssigned[] = [];
  private timer: NodeJS.Timeout | undefined;
  busyness: number;

  constructor(readonly o: ScriptedEdgeOptions) {
    this.running = o.running ?? {
      revision: 0,
      rulePacks: { 'wealth-sale': '1.0.0' },
      models: { asr: 'tiny' },
      settings: {},
    };
    this.busyness = o.busyness ?? 0.1;
  }

  async start(): Promise<EdgeHelloAck> {
    const auth = await api<{ token: string }>(this.o.cloudUrl, 'POST', '/api/v1/edges/auth', {
      body: { edgeId: this.o.edgeId, key: this.o.key },
    });
    if (auth.status !== 200) throw new Error(`edge auth failed: ${auth.status} ${JSON.stringify(auth.body)}`);
    const socket = ioClient(`${this.o.cloudUrl}/edge`, {
      auth: { token: auth.body.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    this.socket = socket;
    socket.on('edge:config', (desired: RunningConfig) => {
      this.configsReceived.push(desired);
      this.desired = desired;
      if (this.o.applyConfig === false) return;
      this.running = desired;
      socket.emit('edge:config-applied', { revision: desired.revision, ok: true });
    });
    socket.on(
      'relay:open',
      (
        msg: { callId: string; participant: { id: string; role: string } },
        ack: (r: Ack<unknown>) => void,
      ) => {
        this.opened.push(msg);
        ack({ ok: true, data: { edgeId: this.o.edgeId, routerRtpCapabilities: { codecs: [] } } });
      },
    );
    socket.on(
      'relay:request',
      (msg: { request: unknown; participant: { id: string } }, ack: (r: Ack<unknown>) => void) => {
        const req = msg.request as { method?: string } | undefined;
        if (req?.method === 'fail')
          ack({ ok: false, error: { code: 'bad_request', message: 'edge says no' } });
        else
          ack({
            ok: true,
            data: { echo: msg.request, participantId: msg.participant.id, edgeId: this.o.edgeId },
          });
      },
    );
    socket.on('relay:close', (msg: { callId: string; participantId: string }) => this.closed.push(msg));
    socket.on('call:assigned', (msg: CallAssigned) => {
      this.assigned.push(msg.callId);
      this.assignments.push(msg);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const ack = (await socket.timeout(10_000).emitWithAck('edge:hello', {
      edgeId: this.o.edgeId,
      branchId: this.o.branchId,
      version: '0.1.0-test',
      publicUrl: `https://${this.o.edgeId}.example:4443`,
      capacity: { maxCalls: this.o.maxCalls ?? 100, workers: 2 },
      running: this.running,
      transcriptionEngine: 'none',
    })) as EdgeHelloAck;
    if (!ack.ok) throw new Error(`edge hello refused: ${ack.error}`);
    this.desired = ack.desired;
    this.callTokenPublicKey = ack.callTokenPublicKey;
    if (ack.desired && ack.desired.revision !== this.running.revision && this.o.applyConfig !== false) {
      this.running = ack.desired;
      socket.emit('edge:config-applied', { revision: ack.desired.revision, ok: true });
    }
    this.heartbeat();
    this.timer = setInterval(() => this.heartbeat(), this.o.heartbeatMs ?? ack.heartbeatIntervalMs ?? 200);
    return ack;
  }

  heartbeat(): void {
    this.socket?.emit('edge:heartbeat', {
      at: Date.now(),
      load: {
        calls: this.opened.length,
        participants: 0,
        cpuPercent: 5,
        workers: [{ pid: 1, routers: 0, cpuPercent: 1 }],
      },
      busyness: { score: this.busyness, activeCalls: 0, queueLength: 0 },
    });
  }

  /** Stops heartbeats but keeps the socket open (a hung edge). */
  pauseHeartbeats(): void {
    clearInterval(this.timer);
  }

  notify(callId: string, participantId: string, notification: unknown): void {
    this.socket?.emit('relay:notify', { callId, participantId, notification });
  }

  async callEvent(callId: string, type: string, data: Record<string, unknown>): Promise<Ack<null>> {
    return (await this.socket?.timeout(5000).emitWithAck('call:event', { callId, type, data })) as Ack<null>;
  }

  /** Disconnects abruptly (as if the edge process died). */
  stop(): void {
    clearInterval(this.timer);
    this.socket?.disconnect();
    this.socket = undefined;
  }
}

/** Seeds a branch with an edge and returns the edge key. */
export async function seedBranchWithEdge(
  redisUrl: string,
  prefix: string,
  branchId: string,
  edgeId: string,
  loc: { lat: number; lon: number } = { lat: 22.28, lon: 114.16 },
): Promise<string> {
  return withServices(redisUrl, prefix, async (s) => {
    await s.branches.upsert(branchId, { name: branchId, ...loc });
    return (await s.edgeCredentials.register(edgeId, branchId, { upsert: true })).key;
  });
}
