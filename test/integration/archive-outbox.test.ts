// Edge-first data through the durable outbox, with a real edge (mediasoup,
// ffmpeg), a real cloud and a real Redis: the cloud is down for the whole call
// and the edge restarts once before it comes back; then every item — data key,
// manifest heads, report, transcript, clip, alerts, audit — arrives exactly once.
// A second outage in the middle of the upload, and a replayed delivery, change
// nothing. Then the cloud asks for the full recording, and its copy verifies.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { io as ioClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createLogger } from '#common/logger';
import type { OutboxAck } from '#protocol/archive';
import { verifyCall } from '../../edge-node/src/archive/manifest/verify.ts';
import { createCloud, type Cloud } from '../../server/src/app.ts';
import { loadCloudConfig } from '../../server/src/config.ts';
import {
  TEST_JWT_SECRET,
  FAST_ENV,
  api,
  login,
  seedBranchWithEdge,
  uniquePrefix,
  waitFor,
  withServices,
} from '../helpers/cloud.ts';
import { freePort } from '../helpers/ports.ts';
import {
  joinWithMedia,
  startEdgeAt,
  startSender,
  tempDir,
  withEnv,
  type MediaParticipant,
} from './recording-support.ts';

const redisUrl = inject('redisUrl');

describe('outbox: nothing lost, nothing duplicated', () => {
  const dir = tempDir('outbox');
  const prefix = uniquePrefix('ob');
  const restoreEnv = withEnv({
    RECORDING_SEGMENT_SECONDS: '3',
    RECORDING_COMPOSITE_TILE: '320x180',
    ARCHIVE_MIN_FREE_BYTES: '0',
    ARCHIVE_OUTBOX_RETRY_BASE_MS: '100',
    ARCHIVE_OUTBOX_RETRY_MAX_MS: '1000',
    ARCHIVE_CLOUD_DIR: path.join(dir, 'cloud-archive'),
    ARCHIVE_CLOUD_KEY_DIR: path.join(dir, 'cloud-keys'),
  });
  let cloudPort: number;
  let edgeKey: string;
  let cloud: Cloud | undefined;
  let edge: Awaited<ReturnType<typeof startEdgeAt>> | undefined;
  const callId = 'call-outbox-1';
  const participants: MediaParticipant[] = [];

  async function startCloudAt(port: number): Promise<Cloud> {
    const config = loadCloudConfig({
      ...process.env,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      JWT_SECRET: TEST_JWT_SECRET,
      CLOUD_HOST: '127.0.0.1',
      CLOUD_PORT: String(port),
      SERVE_CLIENT: '0',
      ...FAST_ENV,
    });
    const c = await createCloud({ config, logger: createLogger('cloud-test', { level: 'error' }) });
    await c.listen(port, '127.0.0.1');
    return c;
  }

  const edgeEnv = () => ({
    EDGE_ID: 'edge-ob',
    BRANCH_ID: 'branch-ob',
    CLOUD_URL: `http://127.0.0.1:${cloudPort}`,
    EDGE_KEY: edgeKey,
    HEARTBEAT_INTERVAL_MS: '500',
  });

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    cloudPort = await freePort();
    edgeKey = await seedBranchWithEdge(redisUrl, prefix, 'branch-ob', 'edge-ob');
    await withServices(redisUrl, prefix, async (s) => {
      await s.staff.create({
        username: 'officer',
        password: 'officer-pass',
        displayName: 'Officer',
        role: 'compliance',
      });
    });
  });
  afterAll(async () => {
    for (const p of participants) p.client.close();
    await edge?.stop();
    await cloud?.close();
    restoreEnv();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a call recorded while the cloud is down, across an edge restart, arrives complete and exactly once', async () => {
    // 1. The cloud is down (nothing listens on its port) for the whole call.
    edge = await startEdgeAt(dir, edgeEnv());
    participants.push(
      await joinWithMedia(edge, callId, 'cust-ob', 'customer'),
      await joinWithMedia(edge, callId, 'mgr-ob', 'manager'),
    );
    const senders = participants.map((p, i) => startSender(p, { durationS: 9, frequency: 500 + 300 * i }));
    await new Promise((r) => setTimeout(r, 4000));
    const archive = edge.edge.archive.archive;
    const call = edge.edge.calls.get(callId)!;
    await archive.flagEvidence(callId, Date.now() - call.startedAt, 'risk-disclosure-missing');
    await Promise.all(senders.map((s) => s.done));
    edge.edge.calls.endCall(callId, 'test call over');
    await edge.edge.archive.recording!.settled();
    await archive.idle();
    // the compliance engine's results arrive through the archive's sink (as the edge wires it)
    const record = archive.store.get(callId)!;
    await waitFor(
      () => record.entries('artifact').some((a) => a.kind === 'report-html'),
      30_000,
      'report stored',
    );
    expect(record.entries('artifact').map((a) => a.kind)).toEqual(
      expect.arrayContaining(['report', 'report-html', 'transcript', 'composite', 'clip']),
    );
    expect(edge.edge.cloudLink!.state).not.toBe('online');
    const queued = archive.outbox.pending().map((r) => r.id);
    expect(queued.length).toBeGreaterThan(5);

    // 2. The edge restarts (still no cloud): the outbox is on disk.
    await edge.stop();
    participants.forEach((p) => p.client.close());
    edge = await startEdgeAt(dir, edgeEnv(), edge.keys);
    const box = edge.edge.archive.archive.outbox;
    expect(box.pending().map((r) => r.id)).toEqual(expect.arrayContaining(queued));

    // 3. The cloud comes back, then goes away again in the middle of the upload, then returns.
    cloud = await startCloudAt(cloudPort);
    await waitFor(() => box.counts().delivered > 0, 30_000, 'first deliveries');
    await cloud.close();
    cloud = await startCloudAt(cloudPort);
    await waitFor(() => box.counts().pending === 0, 60_000, 'outbox drained');

    // 4. Every item the edge queued was received once, and only once.
    const delivered = box
      .all()
      .filter((r) => r.deliveredAt !== null)
      .map((r) => r.id);
    expect(delivered).toEqual(expect.arrayContaining(queued));
    const s = cloud.services;
    const received = (await s.redis.xRange(s.archive.keys.received(), '-', '+')).map((e) => e.message.id!);
    expect(received.length).toBe(new Set(received).size);
    expect(new Set(received)).toEqual(new Set(delivered));
    const kinds = new Set(box.all().map((r) => r.kind));
    for (const k of ['datakey', 'manifest-head', 'report', 'report-html', 'transcript', 'clip'])
      expect(kinds, `an item of kind ${k}`).toContain(k);

    // 5. A delivery replayed (its ack was lost) is acknowledged as a duplicate and stored nothing new.
    const item = box.get(delivered.find((id) => id.includes(':report:'))!)!;
    const auth = await api<{ token: string }>(`http://127.0.0.1:${cloudPort}`, 'POST', '/api/v1/edges/auth', {
      body: { edgeId: 'edge-ob', key: edgeKey },
    });
    const raw = ioClient(`http://127.0.0.1:${cloudPort}/edge`, {
      auth: { token: auth.body.token },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    try {
      await new Promise<void>(
        (resolve, reject) => (raw.once('connect', () => resolve()), raw.once('connect_error', reject)),
      );
      const { readFileSync } = await import('node:fs');
      const data = readFileSync(item.file!);
      const ack = (await raw.timeout(10_000).emitWithAck('archive:deliver', {
        id: item.id,
        kind: item.kind,
        callId: item.callId,
        part: 0,
        parts: item.parts,
        sha256: item.sha256,
        size: item.size,
        meta: item.meta,
        data: data.subarray(0, 256 * 1024),
      })) as OutboxAck;
      expect(ack).toEqual({ ok: true, data: { complete: true, duplicate: true } });
    } finally {
      raw.close();
    }
    expect(await s.redis.xLen(s.archive.keys.received())).toBe(received.length);

    // 6. The cloud has the newest signed head, and serves the report (decrypted with its sealed key) to an officer.
    const summary = (await s.archive.store.summary(callId))!;
    const edgeHead = edge.edge.archive.archive.store.get(callId)!.manifest.head()!;
    expect(summary.head).toEqual(edgeHead);
    const officer = await login(`http://127.0.0.1:${cloudPort}`, 'officer', 'officer-pass');
    const report = await api<{ callId: string; verdict: string }>(
      `http://127.0.0.1:${cloudPort}`,
      'GET',
      `/api/v1/archive/calls/${callId}/report`,
      { token: officer.accessToken },
    );
    expect(report.status).toBe(200);
    expect(report.body.callId).toBe(callId);
  });

  test('the cloud asks for the full recording; its copy is complete and verifies against the edge key', async () => {
    const base = `http://127.0.0.1:${cloudPort}`;
    const officer = await login(base, 'officer', 'officer-pass');
    const refused = await api(base, 'POST', `/api/v1/archive/calls/${callId}/request-full`, {
      token: officer.accessToken,
      body: {},
    });
    expect(refused.status).toBe(400); // a reason is required
    const res = await api<{ commandId: string }>(
      base,
      'POST',
      `/api/v1/archive/calls/${callId}/request-full`,
      { token: officer.accessToken, body: { reason: 'dispute D-1 raised by the customer' } },
    );
    expect(res.status).toBe(202);
    const archive = edge!.edge.archive.archive;
    const segments = archive.store.get(callId)!.entries('segment');
    await waitFor(
      async () =>
        archive.outbox.all().filter((r) => r.kind === 'segment' && r.deliveredAt).length ===
          segments.length && archive.outbox.counts().pending === 0,
      60_000,
      'full recording uploaded',
    );
    const cloudDir = path.join(dir, 'cloud-archive', 'edge-ob', callId);
    const result = await verifyCall(cloudDir, { trustedPublicKey: archive.publicKey });
    // every segment and the composite now, the reports, transcript and clip from before
    expect(result.problems).toEqual([]);
    expect(result.filesChecked).toBeGreaterThanOrEqual(segments.length);
  });
});
