// Fuzzing the three ways in from the network, with fast-check, against a real
// edge (mediasoup worker) and a real cloud (Redis): the edge's `/sfu` signaling,
// the cloud's `/client` socket.io namespace and its REST API. Thousands of
// malformed, oversized, out-of-order and wrong-type messages; every request must
// be answered (no hang) with a success or a typed error — never `internal`, never
// a 5xx — the processes keep serving, and the heap is flat afterwards.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { io as ioClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Call, LoginResponse } from '#protocol/api';
import { ErrorBody } from '#protocol/errors';
import { SFU_NAMESPACE, SFU_REQUEST_EVENT } from '#protocol/signaling';
import {
  api,
  login,
  ScriptedEdge,
  seedBranchWithEdge,
  startCloud,
  uniquePrefix,
  withServices,
  type CloudHandle,
} from '../helpers/cloud.ts';
import { startTestEdge, type TestEdge } from '../helpers/edge.ts';
import { SignalClient } from '../helpers/signal-client.ts';

const redisUrl = inject('redisUrl');
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
/** Fixed seeds keep CI reproducible; FUZZ_SEED=<n> explores elsewhere. */
const SEED = Number(process.env.FUZZ_SEED ?? 0);
const HEAP_TOLERANCE = 24 * 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function heapUsed(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** Runs a fast-check assertion; on failure, reports what the property collected, not only the counterexample. */
async function withFailures(failures: string[], run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    throw new Error(
      `${failures.slice(0, 5).join('\n')}\n${(err as Error).message.split('\n').slice(0, 3).join('\n')}`,
    );
  }
}

/** A socket.io acknowledgement as the protocol defines it: ok with data, or a typed error that is not `internal`. */
function checkAck(ack: unknown): string | undefined {
  if (typeof ack !== 'object' || ack === null) return `not an object: ${JSON.stringify(ack)}`;
  const a = ack as { ok?: unknown };
  if (a.ok === true) return 'data' in a ? undefined : 'ok without data';
  if (a.ok !== false) return `no ok flag: ${JSON.stringify(ack).slice(0, 200)}`;
  const parsed = ErrorBody.safeParse(ack);
  if (!parsed.success) return `untyped error: ${JSON.stringify(ack).slice(0, 200)}`;
  if (parsed.data.error.code === 'internal') return `internal error: ${parsed.data.error.message}`;
  return undefined;
}

// ───────────── arbitraries ─────────────

const anyValue = fc.anything({ maxDepth: 3, maxKeys: 6, withNullPrototype: true, withObjectString: true });
const oversized = fc.string({ minLength: 2_000, maxLength: 60_000 });
const weird = fc.oneof(
  { weight: 4, arbitrary: anyValue },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: oversized },
  { weight: 1, arbitrary: fc.integer() },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      null,
      true,
      -1,
      0,
      1e308,
      '',
      '__proto__',
      'constructor',
      '../../etc/passwd',
      '\u0000',
      '🦄'.repeat(50),
    ),
  },
  { weight: 1, arbitrary: fc.array(anyValue, { maxLength: 30 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2048 }) },
);
const id = (pool: string[]) => (pool.length ? fc.oneof(fc.constantFrom(...pool), weird) : weird);

const rtpParameters = fc.record(
  {
    mid: fc.oneof(fc.string({ maxLength: 40 }), weird),
    codecs: fc.oneof(
      fc.array(
        fc.record(
          {
            mimeType: fc.oneof(
              fc.constantFrom('audio/opus', 'video/VP8', 'video/H264', 'audio/G722', 'video/rtx', 'audio/x'),
              fc.string(),
            ),
            payloadType: fc.integer({ min: -5, max: 300 }),
            clockRate: fc.oneof(fc.constantFrom(48000, 90000, 8000), fc.integer(), fc.double()),
            channels: fc.integer({ min: -1, max: 12 }),
            parameters: fc.dictionary(
              fc.string({ maxLength: 20 }),
              fc.oneof(fc.string({ maxLength: 30 }), fc.integer()),
            ),
            rtcpFeedback: fc.array(
              fc.record({ type: fc.string({ maxLength: 10 }), parameter: fc.string({ maxLength: 10 }) }),
              { maxLength: 4 },
            ),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 4 },
      ),
      weird,
    ),
    encodings: fc.oneof(
      fc.array(
        fc.record(
          {
            ssrc: fc.oneof(fc.integer({ min: -1, max: 2 ** 32 }), weird),
            rid: fc.string({ maxLength: 40 }),
            rtx: fc.record({ ssrc: fc.integer({ min: 0, max: 2 ** 32 - 1 }) }),
            scalabilityMode: fc.oneof(fc.constantFrom('L1T3', 'L3T3', 'S3T3'), fc.string({ maxLength: 20 })),
            maxBitrate: fc.oneof(fc.integer(), fc.double()),
            scaleResolutionDownBy: fc.oneof(fc.double(), fc.integer()),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 5 },
      ),
      weird,
    ),
    headerExtensions: fc.oneof(
      fc.array(fc.record({ uri: fc.string({ maxLength: 60 }), id: fc.integer({ min: -1, max: 300 }) }), {
        maxLength: 4,
      }),
      weird,
    ),
    rtcp: fc.oneof(
      fc.record({ cname: fc.string({ maxLength: 300 }), reducedSize: fc.boolean() }, { requiredKeys: [] }),
      weird,
    ),
  },
  { requiredKeys: [] },
);

const SFU_METHODS = [
  'getRouterRtpCapabilities',
  'join',
  'createWebRtcTransport',
  'connectWebRtcTransport',
  'restartIce',
  'produce',
  'closeProducer',
  'pauseProducer',
  'resumeProducer',
  'pauseConsumer',
  'resumeConsumer',
  'setConsumerPreferredLayers',
  'setConsumerViewport',
  'produceData',
  'getStats',
];

function sfuRequest(ids: { transports: string[]; producers: string[] }) {
  const data = fc.oneof(
    { weight: 1, arbitrary: weird },
    {
      weight: 4,
      arbitrary: fc.record(
        {
          displayName: fc.oneof(fc.string({ maxLength: 100 }), weird),
          rtpCapabilities: fc.oneof(
            fc.constant({}),
            fc.record({ codecs: weird, headerExtensions: weird }, { requiredKeys: [] }),
            weird,
          ),
          device: fc.oneof(
            fc.record({
              kind: fc.constantFrom('browser', 'tablet', 'x'),
              name: fc.string({ maxLength: 100 }),
            }),
            weird,
          ),
          direction: fc.oneof(fc.constantFrom('send', 'recv'), weird),
          forceTcp: fc.oneof(fc.boolean(), weird),
          sctpCapabilities: fc.oneof(
            fc.record({
              numStreams: fc.record({
                OS: fc.integer({ min: -1, max: 70_000 }),
                MIS: fc.integer({ min: -1, max: 70_000 }),
              }),
            }),
            weird,
          ),
          transportId: id(ids.transports),
          dtlsParameters: fc.oneof(
            fc.record(
              {
                role: fc.constantFrom('auto', 'client', 'server', 'x'),
                fingerprints: fc.array(
                  fc.record({
                    algorithm: fc.constantFrom('sha-256', 'md5'),
                    value: fc.oneof(fc.constant('AB:CD'), fc.string()),
                  }),
                  { maxLength: 3 },
                ),
              },
              { requiredKeys: [] },
            ),
            weird,
          ),
          kind: fc.oneof(fc.constantFrom('audio', 'video'), weird),
          source: fc.oneof(fc.constantFrom('mic', 'camera', 'screen'), weird),
          rtpParameters: fc.oneof(rtpParameters, weird),
          producerId: id(ids.producers),
          consumerId: weird,
          spatialLayer: fc.integer({ min: -3, max: 5 }),
          temporalLayer: fc.integer({ min: -3, max: 5 }),
          width: fc.integer({ min: -10, max: 10_000 }),
          height: fc.integer({ min: -10, max: 10_000 }),
          sctpStreamParameters: fc.oneof(
            fc.record(
              {
                streamId: fc.integer({ min: -1, max: 70_000 }),
                ordered: fc.boolean(),
                maxRetransmits: fc.integer(),
              },
              { requiredKeys: [] },
            ),
            weird,
          ),
          label: fc.oneof(fc.constantFrom('annotations', 'chat'), weird),
          protocol: fc.oneof(fc.string({ maxLength: 50 }), weird),
        },
        { requiredKeys: [] },
      ),
    },
  );
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record(
        {
          method: fc.oneof(
            { weight: 5, arbitrary: fc.constantFrom(...SFU_METHODS) },
            { weight: 1, arbitrary: weird },
          ),
          data,
        },
        { requiredKeys: ['method'] },
      ),
    },
    { weight: 1, arbitrary: weird },
  );
}

// ───────────── tests ─────────────

describe('fuzzing the network surfaces', () => {
  let edge: TestEdge;
  let cloud: CloudHandle;
  let scripted: ScriptedEdge;
  let manager: LoginResponse;
  let ops: LoginResponse;
  let callId: string;

  beforeAll(async () => {
    edge = await startTestEdge();
    const prefix = uniquePrefix('fuzz');
    const key = await seedBranchWithEdge(redisUrl, prefix, 'b-fz', 'e-fz');
    await withServices(redisUrl, prefix, async (s) => {
      await s.staff.create({
        username: 'mgr',
        password: 'manager-pass',
        displayName: 'M',
        role: 'manager',
        branchId: 'b-fz',
      });
      await s.staff.create({ username: 'ops', password: 'ops-pass-123', displayName: 'O', role: 'ops' });
    });
    cloud = await startCloud({ redisUrl, prefix, env: { LOGIN_RATE_MAX: '1000', INVITE_RATE_MAX: '1000' } });
    scripted = new ScriptedEdge({ cloudUrl: cloud.url, edgeId: 'e-fz', branchId: 'b-fz', key });
    await scripted.start();
    manager = await login(cloud.url, 'mgr', 'manager-pass');
    ops = await login(cloud.url, 'ops', 'ops-pass-123');
    callId = (
      await api<Call>(cloud.url, 'POST', '/api/v1/calls', {
        token: manager.accessToken,
        body: { allowRemoteCustomer: true },
      })
    ).body.id;
  });

  afterAll(async () => {
    scripted?.stop();
    await cloud?.stop();
    await edge?.stop();
  });

  const joinToken = (sub: string, callId = 'call-fuzz') =>
    edge.keys.mint('edge-test', { sub, callId, role: 'manager', branchId: 'branch-test', name: sub });

  test('edge /sfu: malformed, oversized, out-of-order and wrong-type requests all get typed answers; the edge stays up and the heap flat', async () => {
    // Before join (out of order) and after join with real transport/producer ids to reach deeper code.
    const fresh = await SignalClient.connect(edge.url, joinToken('fuzz-early'));
    const joined = await SignalClient.connect(edge.url, joinToken('fuzz-joined'));
    const { rtpCapabilities } = await joined.request<{ rtpCapabilities: unknown }>(
      'getRouterRtpCapabilities',
    );
    const send = await joined.request<{ id: string }>('createWebRtcTransport', {
      direction: 'send',
      sctpCapabilities: { numStreams: { OS: 16, MIS: 16 } },
    });
    const recv = await joined.request<{ id: string }>('createWebRtcTransport', { direction: 'recv' });
    await joined.request('join', { displayName: 'Fuzz', rtpCapabilities });
    const { producerId } = await joined.request<{ producerId: string }>('produce', {
      transportId: send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
        encodings: [{ ssrc: 4321 }],
        rtcp: { cname: 'f' },
      },
    });
    const ids = { transports: [send.id, recv.id], producers: [producerId] };
    const failures: string[] = [];
    const run = async (client: SignalClient, runs: number, seed: number) =>
      withFailures(failures, () =>
        fc.assert(
          fc.asyncProperty(sfuRequest(ids), async (payload) => {
            const problem = checkAck(await client.raw(payload));
            if (problem) failures.push(`${JSON.stringify(payload).slice(0, 300)} → ${problem}`);
            return problem === undefined;
          }),
          { numRuns: runs, seed: SEED + seed, endOnFailure: true },
        ),
      );
    await run(joined, 200, 1); // warm-up: code paths compiled, caches filled
    const before = heapUsed();
    await run(fresh, Math.round(RUNS / 3), 2);
    await run(joined, RUNS, 3);
    // Requests without an acknowledgement and events nobody listens to are ignored, not fatal.
    for (let i = 0; i < 200; i++) {
      joined.socket.emit(SFU_REQUEST_EVENT, { method: 'getStats', data: { n: i } });
      joined.socket.emit(`nonsense-${i % 7}`, 'x'.repeat(i * 10), { deep: { deeper: [i] } });
    }
    expect(checkAck(await joined.raw({ method: 'getStats', data: {} }))).toBeUndefined();
    const after = heapUsed();
    expect(failures).toEqual([]);
    expect(after - before).toBeLessThan(HEAP_TOLERANCE);
    // A message above the edge's 256 KB limit ends that connection, and only that one.
    const big = await SignalClient.connect(edge.url, joinToken('fuzz-big'));
    const dropped = new Promise<string>((resolve) =>
      big.socket.once('disconnect', (reason) => resolve(reason)),
    );
    big.socket.emit(
      SFU_REQUEST_EVENT,
      { method: 'join', data: { displayName: 'x'.repeat(400_000) } },
      () => undefined,
    );
    expect(await dropped).toMatch(/transport|parse|server/);
    expect(checkAck(await joined.raw({ method: 'getRouterRtpCapabilities' }))).toBeUndefined();
    // Handshakes with junk credentials are refused with a typed error.
    await fc.assert(
      fc.asyncProperty(fc.oneof(weird, fc.record({ token: weird })), async (auth) => {
        const socket = ioClient(new URL(SFU_NAMESPACE, edge.url).toString(), {
          auth: auth as object,
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
        });
        const outcome = await new Promise<unknown>((resolve) => {
          const timer = setTimeout(() => resolve('no answer'), 5000);
          const done = (v: unknown) => {
            clearTimeout(timer);
            resolve(v);
          };
          socket.once('connect', () => done('connected'));
          socket.once('connect_error', (e: Error & { data?: unknown }) => done(e.data));
          // A CONNECT whose auth is not an object is a protocol error: the server drops the connection.
          // (The client closes its engine just before it emits connect_error: give that a moment.)
          socket.io.engine?.once('close', () => setTimeout(() => done('closed'), 200));
        });
        socket.close();
        if (
          outcome === 'closed' &&
          (typeof auth !== 'object' || auth === null || Array.isArray(auth) || ArrayBuffer.isView(auth))
        )
          return true;
        return (
          ErrorBody.safeParse(outcome).success && (outcome as ErrorBody).error.code === 'unauthenticated'
        );
      }),
      { numRuns: 60, seed: SEED + 4 },
    );
    fresh.close();
    joined.close();
    big.close();
    // Still serving: a new participant joins normally.
    const late = await SignalClient.connect(edge.url, joinToken('after-fuzz', 'call-after-fuzz'));
    const caps = await late.request<{ rtpCapabilities: unknown }>('getRouterRtpCapabilities');
    await late.request('createWebRtcTransport', { direction: 'recv' });
    await expect(
      late.request('join', { displayName: 'Late', rtpCapabilities: caps.rtpCapabilities }),
    ).resolves.toMatchObject({ peerId: 'after-fuzz' });
    late.close();
  });

  test('cloud /client: random events and payloads from staff and unauthenticated sockets get typed answers', async () => {
    const connect = (token: unknown) =>
      new Promise<Socket>((resolve, reject) => {
        const socket = ioClient(`${cloud.url}/client`, {
          auth: { token } as object,
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
        });
        socket.once('connect', () => resolve(socket));
        socket.once('connect_error', (e: Error & { data?: unknown }) => {
          socket.close();
          reject(Object.assign(e, { body: e.data }));
        });
      });
    const socket = await connect(manager.accessToken);
    const EVENTS = [
      'auth:refresh',
      'presence:set',
      'dispatch:request',
      'dispatch:cancel',
      'dispatch:accept',
      'dispatch:decline',
      'call:join',
      'call:signal',
      'call:leave',
      'dashboard:subscribe',
      'dashboard:unsubscribe',
    ];
    const payload = fc.oneof(
      weird,
      fc.record(
        {
          callId: fc.oneof(fc.constant(callId), weird),
          request: fc.oneof(
            fc.record(
              { method: fc.oneof(fc.constantFrom(...SFU_METHODS), weird), data: weird },
              { requiredKeys: [] },
            ),
            weird,
          ),
          requestId: weird,
          skill: fc.oneof(fc.constantFrom('wealth', 'insurance'), weird),
          urgency: fc.oneof(fc.constantFrom('low', 'normal', 'high', 'critical'), weird),
          language: weird,
          note: fc.oneof(fc.string({ maxLength: 3000 }), weird),
          status: fc.oneof(fc.constantFrom('available', 'busy', 'away'), weird),
          scope: fc.oneof(fc.constantFrom('branch', 'call', 'ops', 'compliance'), weird),
          id: fc.oneof(fc.constantFrom('b-fz', callId), weird),
          token: fc.oneof(fc.constant(manager.accessToken), weird),
        },
        { requiredKeys: [] },
      ),
    );
    const failures: string[] = [];
    const property = fc.asyncProperty(
      fc.oneof(
        { weight: 5, arbitrary: fc.constantFrom(...EVENTS) },
        { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
      ),
      payload,
      async (event, msg) => {
        if (!EVENTS.includes(event)) {
          socket.emit(event, msg); // unknown events are ignored
          return true;
        }
        let ack: unknown;
        try {
          ack = await socket.timeout(10_000).emitWithAck(event, msg);
        } catch {
          failures.push(`${event} ${JSON.stringify(msg).slice(0, 200)} → no answer within 10 s`);
          return false;
        }
        const problem = checkAck(ack);
        if (problem) failures.push(`${event} ${JSON.stringify(msg).slice(0, 200)} → ${problem}`);
        return problem === undefined;
      },
    );
    await withFailures(failures, () => fc.assert(property, { numRuns: 200, seed: SEED + 5 }));
    const before = heapUsed();
    await withFailures(failures, () => fc.assert(property, { numRuns: RUNS, seed: SEED + 6 }));
    const after = heapUsed();
    expect(failures).toEqual([]);
    expect(after - before).toBeLessThan(HEAP_TOLERANCE);
    expect(socket.connected).toBe(true);
    socket.close();

    // Junk credentials on the handshake: refused, typed.
    await fc.assert(
      fc.asyncProperty(weird, async (token) => {
        const body = await connect(token).then(
          (s) => {
            s.close();
            return undefined;
          },
          (e: { body?: unknown }) => e.body,
        );
        return ErrorBody.safeParse(body).success && (body as ErrorBody).error.code === 'unauthenticated';
      }),
      { numRuns: 60, seed: SEED + 7 },
    );
  });

  test('cloud REST: random bodies, params, queries, content types and tokens on every operation never produce an internal error or an untyped one', async () => {
    const doc = await api<{ paths: Record<string, Record<string, unknown>> }>(
      cloud.url,
      'GET',
      '/api/v1/openapi.json',
    );
    const operations = Object.entries(doc.body.paths).flatMap(([p, methods]) =>
      Object.keys(methods).map((m) => ({ method: m.toUpperCase(), path: p })),
    );
    expect(operations.length).toBeGreaterThan(20);
    const segment = fc.oneof(
      fc.constantFrom(callId, 'b-fz', 'e-fz', 'x'),
      fc.string({ maxLength: 60 }),
      fc.constantFrom('..', '%00', '%2e%2e', 'a'.repeat(2000)),
    );
    const body = fc.oneof(
      {
        weight: 5,
        arbitrary: weird.map((v) => ({ kind: 'json' as const, text: JSON.stringify(v ?? null) ?? 'null' })),
      },
      {
        weight: 3,
        arbitrary: fc
          .dictionary(
            fc.constantFrom(
              'username',
              'password',
              'refreshToken',
              'token',
              'edgeId',
              'key',
              'branchId',
              'callId',
              'skill',
              'topic',
              'product',
              'customerRiskLevel',
              'ttlS',
              'displayName',
              'edgeIds',
              'change',
              'role',
              'name',
              'lat',
              'lon',
            ),
            weird,
          )
          .map((v) => ({ kind: 'json' as const, text: JSON.stringify(v) })),
      },
      {
        weight: 1,
        arbitrary: fc.string({ maxLength: 500 }).map((text) => ({ kind: 'json' as const, text: `{${text}` })),
      },
      {
        weight: 1,
        arbitrary: fc.string({ maxLength: 200 }).map((text) => ({ kind: 'text' as const, text })),
      },
      {
        weight: 1,
        arbitrary: fc.constant({ kind: 'json' as const, text: JSON.stringify({ pad: 'x'.repeat(150_000) }) }),
      },
    );
    const query = fc.dictionary(
      fc.constantFrom('limit', 'after', 'status', 'branchId', 'skill', 'lat', 'lon', 'x'),
      fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String)),
      { maxKeys: 3 },
    );
    const token = fc.constantFrom(ops.accessToken, manager.accessToken, undefined, 'garbage.token.value');
    const failures: string[] = [];
    const property = fc.asyncProperty(
      fc.integer({ min: 0, max: operations.length - 1 }),
      segment,
      body,
      query,
      token,
      async (i, seg, b, q, t) => {
        const op = operations[i]!;
        const url = `${cloud.url}${op.path.replace(/\{[^}]+\}/g, encodeURIComponent(seg))}?${new URLSearchParams(q)}`;
        const res = await fetch(url, {
          method: op.method,
          headers: {
            ...(t ? { authorization: `Bearer ${t}` } : {}),
            'content-type': b.kind === 'json' ? 'application/json' : 'text/plain',
          },
          ...(op.method === 'GET' ? {} : { body: b.text }),
        });
        const text = await res.text();
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        const typed = ErrorBody.safeParse(parsed);
        // 503 `unavailable` is a deliberate answer (e.g. no edge with capacity); 500 `internal` is a crash path.
        const problem =
          res.status >= 400 && !typed.success
            ? `untyped ${res.status}: ${text.slice(0, 100)}`
            : typed.success &&
                (typed.data.error.code === 'internal' ||
                  (res.status >= 500 && typed.data.error.code !== 'unavailable'))
              ? `${res.status} ${typed.data.error.code}: ${typed.data.error.message}`
              : undefined;
        if (problem) failures.push(`${op.method} ${url.slice(0, 200)} ${b.text.slice(0, 100)} → ${problem}`);
        return problem === undefined;
      },
    );
    await withFailures(failures, () => fc.assert(property, { numRuns: 200, seed: SEED + 8 }));
    const before = heapUsed();
    await withFailures(failures, () => fc.assert(property, { numRuns: RUNS, seed: SEED + 9 }));
    const after = heapUsed();
    expect(failures).toEqual([]);
    expect(after - before).toBeLessThan(HEAP_TOLERANCE);
    expect((await fetch(`${cloud.url}/readyz`)).status).toBe(200);
  });
});
