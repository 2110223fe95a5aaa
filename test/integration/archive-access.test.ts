// Encryption at rest, audited access and crypto-shredding, end to end with a
// real edge (mediasoup, ffmpeg), a real cloud and Redis: a recorded call is
// ciphertext on disk, readable through the cloud's API by the right role in
// the right branch with a reason, refused otherwise; every attempt is in the
// audit log; bulk export needs a second approver; key rotations leave the call
// readable; a legal hold stops retention, and when retention ends the call is
// crypto-shredded everywhere — a stray backup stays ciphertext forever — while
// its manifest still proves what existed.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { AuditEntry, PlaybackResponse } from '#protocol/archive';
import { DataKeyStore } from '../../edge-node/src/archive/crypto/DataKeys.ts';
import { FileKekStore } from '../../edge-node/src/archive/crypto/KekStore.ts';
import { verifyCall } from '../../edge-node/src/archive/manifest/verify.ts';
import {
  api,
  login,
  seedBranchWithEdge,
  startCloud,
  uniquePrefix,
  waitFor,
  withServices,
  type CloudHandle,
} from '../helpers/cloud.ts';
import {
  ffprobe,
  joinWithMedia,
  readableMedia,
  recordersLive,
  startEdgeAt,
  startSender,
  tempDir,
  withEnv,
  type MediaParticipant,
} from './recording-support.ts';

const redisUrl = inject('redisUrl');
const BRANCH = 'branch-acc';
const EDGE = 'edge-acc';
const callId = 'call-access-1';

describe('stored calls: encrypted, audited, shreddable', () => {
  const dir = tempDir('access');
  const prefix = uniquePrefix('acc');
  const restoreEnv = withEnv({
    RECORDING_SEGMENT_SECONDS: '3',
    RECORDING_COMPOSITE_TILE: '320x180',
    ARCHIVE_MIN_FREE_BYTES: '0',
    ARCHIVE_OUTBOX_RETRY_BASE_MS: '100',
    ARCHIVE_OUTBOX_RETRY_MAX_MS: '1000',
    // retention ends as soon as the call is sealed; the sweeper is run by hand below
    ARCHIVE_RETENTION: '{"default":{"days":0}}',
    ARCHIVE_SWEEP_INTERVAL_MS: '3600000',
    ARCHIVE_CLOUD_DIR: path.join(dir, 'cloud-archive'),
    ARCHIVE_CLOUD_KEY_DIR: path.join(dir, 'cloud-keys'),
  });
  let cloud: CloudHandle;
  let edge: Awaited<ReturnType<typeof startEdgeAt>>;
  const participants: MediaParticipant[] = [];
  const tokens: Record<string, string> = {};
  const get = <T>(user: string, p: string) => api<T>(cloud.url, 'GET', p, { token: tokens[user] });
  const post = <T>(user: string, p: string, body: unknown = {}) =>
    api<T>(cloud.url, 'POST', p, { token: tokens[user], body });

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    const key = await seedBranchWithEdge(redisUrl, prefix, BRANCH, EDGE);
    const users = [
      { username: 'officer-a', role: 'compliance' as const },
      { username: 'officer-b', role: 'compliance' as const },
      { username: 'officer-x', role: 'compliance' as const, branchId: 'branch-other' },
      { username: 'mgr-home', role: 'manager' as const, branchId: BRANCH },
      { username: 'mgr-other', role: 'manager' as const, branchId: 'branch-other' },
      { username: 'expert-1', role: 'expert' as const },
      { username: 'ops-1', role: 'ops' as const },
    ];
    await withServices(redisUrl, prefix, async (s) => {
      await s.branches.upsert('branch-other', { name: 'other', lat: 22.3, lon: 114.2 });
      for (const u of users)
        await s.staff.create({ ...u, password: 'password-123', displayName: `Name of ${u.username}` });
    });
    cloud = await startCloud({ redisUrl, prefix });
    for (const u of users)
      tokens[u.username] = (await login(cloud.url, u.username, 'password-123')).accessToken;
    edge = await startEdgeAt(dir, {
      EDGE_ID: EDGE,
      BRANCH_ID: BRANCH,
      CLOUD_URL: cloud.url,
      EDGE_KEY: key,
      HEARTBEAT_INTERVAL_MS: '500',
    });
    await waitFor(() => edge.edge.cloudLink?.state === 'online', 20_000, 'edge online');

    // A recorded call with a flagged moment; everything reaches the cloud.
    participants.push(
      await joinWithMedia(edge, callId, 'cust-acc', 'customer'),
      await joinWithMedia(edge, callId, 'mgr-acc', 'manager'),
    );
    await recordersLive(edge, callId, 4);
    const senders = participants.map((p, i) => startSender(p, { durationS: 7, frequency: 600 + 200 * i }));
    await new Promise((r) => setTimeout(r, 3000));
    const archive = edge.edge.archive.archive;
    await archive.flagEvidence(
      callId,
      Date.now() - edge.edge.calls.get(callId)!.startedAt,
      'risk-disclosure-missing',
    );
    await Promise.all(senders.map((s) => s.done));
    edge.edge.calls.endCall(callId, 'test call over');
    await edge.edge.archive.recording!.settled();
    await archive.idle();
    await waitFor(
      () =>
        archive.store
          .get(callId)!
          .entries('artifact')
          .some((a) => a.kind === 'report-html'),
      30_000,
      'report stored',
    );
    await waitFor(() => archive.outbox.counts().pending === 0, 30_000, 'outbox drained');
  });
  afterAll(async () => {
    for (const p of participants) p.client.close();
    await edge?.stop();
    await cloud?.stop();
    restoreEnv();
    rmSync(dir, { recursive: true, force: true });
  });

  test('on disk everything is ciphertext: ffprobe cannot read a segment or the composite', async () => {
    const record = edge.edge.archive.archive.store.get(callId)!;
    const files = [
      ...record.entries('segment').slice(0, 2),
      ...record.entries('artifact').filter((a) => a.kind === 'composite'),
    ];
    expect(files.length).toBe(3);
    for (const f of files)
      expect(await readableMedia(record.absolute(f.file)), `${f.file} on disk`).toBeUndefined();
  });

  test('reports are readable by compliance and by the branch manager, refused to other branches and roles', async () => {
    expect(
      (await get<{ callId: string }>('officer-a', `/api/v1/archive/calls/${callId}/report`)).body.callId,
    ).toBe(callId);
    expect((await get<{ callId: string }>('mgr-home', `/api/v1/archive/calls/${callId}/report`)).status).toBe(
      200,
    );
    const html = await fetch(`${cloud.url}/api/v1/archive/calls/${callId}/report?format=html`, {
      headers: { authorization: `Bearer ${tokens['officer-a']}` },
    });
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(await get('mgr-other', `/api/v1/archive/calls/${callId}/report`)).toMatchObject({
      status: 403,
      body: { error: { details: { reason: 'wrong_branch' } } },
    });
    expect(await get('officer-x', `/api/v1/archive/calls/${callId}/report`)).toMatchObject({
      status: 403,
      body: { error: { details: { reason: 'wrong_branch' } } },
    });
    expect(await get('expert-1', `/api/v1/archive/calls/${callId}/report`)).toMatchObject({
      status: 403,
      body: { error: { details: { reason: 'wrong_role' } } },
    });
    expect((await api(cloud.url, 'GET', `/api/v1/archive/calls/${callId}/report`)).status).toBe(401);
  });

  test('transcripts and media need compliance and a reason for access', async () => {
    expect(await get('officer-a', `/api/v1/archive/calls/${callId}/transcript`)).toMatchObject({
      status: 400,
      body: { error: { details: { reason: 'reason_required' } } },
    });
    expect(
      (
        await get(
          'officer-a',
          `/api/v1/archive/calls/${callId}/transcript?reason=${encodeURIComponent('case C-17 review')}`,
        )
      ).status,
    ).toBe(200);
    expect(
      await post('mgr-home', `/api/v1/archive/calls/${callId}/playback`, { reason: 'curious' }),
    ).toMatchObject({ status: 403 });
    expect(await post('officer-a', `/api/v1/archive/calls/${callId}/playback`, {})).toMatchObject({
      status: 400,
    });
  });

  test('playback: the composite streams with HTTP range requests, with the evidence to jump to', async () => {
    const res = await post<PlaybackResponse>('officer-a', `/api/v1/archive/calls/${callId}/playback`, {
      reason: 'case C-17 review',
    });
    expect(res.status).toBe(200);
    expect(res.body.evidence.some((e) => e.source === 'flag' && e.label === 'risk-disclosure-missing')).toBe(
      true,
    );
    const url = `${cloud.url}${res.body.mediaUrl}`;
    const first = await fetch(url, { headers: { range: 'bytes=0-1023' } });
    expect(first.status).toBe(206);
    expect(first.headers.get('accept-ranges')).toBe('bytes');
    const total = Number(/\/(\d+)$/.exec(first.headers.get('content-range')!)![1]);
    expect((await first.arrayBuffer()).byteLength).toBe(1024);
    // a player's open-ended requests, each answered with the next chunk
    const chunks: Buffer[] = [];
    for (let at = 0; at < total;) {
      const r = await fetch(url, { headers: { range: `bytes=${at}-` } });
      expect(r.status).toBe(206);
      const buf = Buffer.from(await r.arrayBuffer());
      expect(r.headers.get('content-range')).toBe(`bytes ${at}-${at + buf.length - 1}/${total}`);
      chunks.push(buf);
      at += buf.length;
    }
    const file = path.join(dir, 'played.mp4');
    writeFileSync(file, Buffer.concat(chunks));
    const info = await ffprobe(file);
    expect(info.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(info.format.duration).toBeGreaterThan(5);
    // grants are bound to their call and cannot be forged
    expect((await fetch(url.replace(callId, 'call-other'))).status).toBe(403);
    expect((await fetch(`${cloud.url}/api/v1/archive/media/${callId}?grant=forged`)).status).toBe(401);
    expect(
      (await fetch(`${cloud.url}/api/v1/archive/media/${callId}?grant=${tokens['officer-a']}`)).status,
    ).toBe(401);
  });

  test('bulk export needs a second approver', async () => {
    const req = await post<{ id: string; status: string }>('officer-a', '/api/v1/archive/exports', {
      callIds: [callId],
      reason: 'regulator request R-9',
    });
    expect(req).toMatchObject({ status: 201, body: { status: 'pending' } });
    expect(await get('officer-a', `/api/v1/archive/exports/${req.body.id}?reason=regulator`)).toMatchObject({
      status: 409,
    });
    expect(await post('officer-a', `/api/v1/archive/exports/${req.body.id}/approve`)).toMatchObject({
      status: 403,
      body: { error: { details: { reason: 'same_person' } } },
    });
    expect(await post('officer-b', `/api/v1/archive/exports/${req.body.id}/approve`)).toMatchObject({
      status: 200,
      body: { status: 'approved', approvedBy: 'officer-b' },
    });
    const out = await get<{ calls: { callId: string; report?: unknown }[] }>(
      'officer-a',
      `/api/v1/archive/exports/${req.body.id}?reason=${encodeURIComponent('regulator request R-9')}`,
    );
    expect(out.status).toBe(200);
    expect(out.body.calls).toEqual([
      expect.objectContaining({ callId, report: expect.objectContaining({ callId }) }),
    ]);
  });

  test('every access, granted or refused, is in the append-only audit log — who, what, when, why', async () => {
    expect((await get('mgr-home', `/api/v1/archive/audit?callId=${callId}`)).status).toBe(403);
    await waitFor(
      async () =>
        (await get<AuditEntry[]>('officer-b', `/api/v1/archive/audit?callId=${callId}&action=edge.read`)).body
          .length > 0,
      20_000,
      "the edge's own read entries",
    );
    const log = (await get<AuditEntry[]>('officer-b', `/api/v1/archive/audit?callId=${callId}`)).body;
    const has = (actor: string, action: string, outcome: string, reason?: string) =>
      expect(
        log.some(
          (e) =>
            e.actor === actor &&
            e.action === action &&
            e.outcome === outcome &&
            (reason === undefined || e.reason === reason),
        ),
        `${actor} ${action} ${outcome}`,
      ).toBe(true);
    has('mgr-home', 'report.view', 'granted');
    has('mgr-other', 'report.view', 'denied');
    has('expert-1', 'report.view', 'denied');
    has('officer-x', 'report.view', 'denied');
    has('officer-a', 'transcript.view', 'denied');
    has('officer-a', 'transcript.view', 'granted', 'case C-17 review');
    has('officer-a', 'media.play', 'granted', 'case C-17 review');
    has('officer-a', 'export.approve', 'denied');
    has('officer-b', 'export.approve', 'granted');
    has('officer-a', 'export.download', 'granted', 'regulator request R-9');
    expect(log.some((e) => e.actor === `edge:${EDGE}/officer-a` && e.action === 'edge.read')).toBe(true);
    for (const e of log) {
      expect(e.at).toBeGreaterThan(0);
      expect(JSON.stringify(e)).not.toMatch(/Name of/); // user ids, never names
    }
    // oldest first, resumable
    const after = log[2]!.id;
    expect(
      (await get<AuditEntry[]>('officer-b', `/api/v1/archive/audit?callId=${callId}&after=${after}`)).body[0]!
        .id,
    ).toBe(log[3]!.id);
  });

  test("rotating the edge's KEK and the cloud's seal key leaves the call readable", async () => {
    const archive = edge.edge.archive.archive;
    const kekBefore = archive.keys.kekStore.currentKekId();
    expect(
      await post('officer-a', `/api/v1/archive/edges/${EDGE}/rotate-kek`, { reason: 'scheduled rotation' }),
    ).toMatchObject({ status: 403 });
    expect(
      await post('ops-1', `/api/v1/archive/edges/${EDGE}/rotate-kek`, { reason: 'scheduled rotation' }),
    ).toMatchObject({ status: 202 });
    await waitFor(
      () => archive.keys.kekStore.currentKekId() !== kekBefore,
      15_000,
      'KEK rotated on the edge',
    );
    const kekDir = edge.edge.archive.config.kekDir;
    expect(readdirSync(kekDir).filter((f) => f.endsWith('.kek'))).toEqual([
      `${archive.keys.kekStore.currentKekId()}.kek`,
    ]);
    // a fresh key store (as after a restart) opens the old call's data key with the new KEK only
    const fresh = await DataKeyStore.open(
      edge.edge.archive.config.dataKeyDir,
      await FileKekStore.open(kekDir),
    );
    expect((await fresh.get(callId)).equals(await archive.keys.get(callId))).toBe(true);
    const rotated = await post<{ resealed: number; retired: number }>(
      'ops-1',
      '/api/v1/archive/seal-key/rotate',
      { reason: 'scheduled rotation' },
    );
    expect(rotated).toMatchObject({ status: 200 });
    expect(rotated.body.resealed).toBeGreaterThanOrEqual(1);
    expect(rotated.body.retired).toBe(1);
    expect((await get('officer-a', `/api/v1/archive/calls/${callId}/report`)).status).toBe(200);
    const play = await post<PlaybackResponse>('officer-a', `/api/v1/archive/calls/${callId}/playback`, {
      reason: 'after rotation',
    });
    expect(
      (await fetch(`${cloud.url}${play.body.mediaUrl}`, { headers: { range: 'bytes=0-99' } })).status,
    ).toBe(206);
  });

  test('a legal hold stops retention; once released the call is crypto-shredded everywhere and its manifest still verifies', async () => {
    const archive = edge.edge.archive.archive;
    const record = archive.store.get(callId)!;
    // a stray backup of the call's directory, taken before anything happens
    const backup = path.join(dir, 'backup');
    cpSync(record.paths.dir, backup, { recursive: true });

    expect(
      await post('officer-a', `/api/v1/archive/calls/${callId}/hold`, { reason: 'litigation L-3' }),
    ).toMatchObject({ status: 202 });
    await waitFor(() => Boolean(archive.store.get(callId)!.meta.hold), 15_000, 'hold reached the edge');
    expect(await edge.edge.archive.sweeper.sweep()).toMatchObject({ shredded: [], held: [callId] });
    expect(
      await post('officer-a', `/api/v1/archive/calls/${callId}/hold/release`, {
        reason: 'litigation L-3 closed',
      }),
    ).toMatchObject({ status: 202 });
    await waitFor(() => !archive.store.get(callId)!.meta.hold, 15_000, 'release reached the edge');
    expect((await edge.edge.archive.sweeper.sweep()).shredded).toEqual([callId]);

    // the edge: data key and ciphertext gone, the manifest (with its signed shred entry) kept and verifying
    expect(archive.keys.has(callId)).toBe(false);
    await expect(archive.keys.get(callId)).rejects.toMatchObject({ code: 'not_found' });
    expect(existsSync(path.join(record.paths.dir, 'tracks'))).toBe(false);
    const onEdge = await verifyCall(record.paths.dir, { trustedPublicKey: archive.publicKey });
    expect(onEdge).toMatchObject({ ok: true, shredded: true });
    expect(onEdge.segments).toBeGreaterThan(0);

    // the backup: every byte intact and accounted for by the manifest, and unreadable for good
    const inBackup = await verifyCall(backup, { trustedPublicKey: archive.publicKey });
    expect(inBackup.ok).toBe(true);
    expect(inBackup.filesChecked).toBeGreaterThan(0);
    const seg = record.entries('segment')[0]!;
    expect(await readableMedia(path.join(backup, seg.file))).toBeUndefined();
    const reopened = await DataKeyStore.open(
      edge.edge.archive.config.dataKeyDir,
      await FileKekStore.open(edge.edge.archive.config.kekDir),
    );
    await expect(reopened.get(callId)).rejects.toMatchObject({ code: 'not_found' });

    // the cloud destroys its copy of the key when the edge's notice arrives
    await waitFor(
      async () => (await get('officer-a', `/api/v1/archive/calls/${callId}/report`)).status === 404,
      20_000,
      'cloud copy shredded',
    );
    expect(cloud.cloud!.services.archive.seal.hasDataKey(callId)).toBe(false);
    const log = (
      await get<AuditEntry[]>('officer-b', `/api/v1/archive/audit?callId=${callId}&action=retention.shred`)
    ).body;
    expect(log.map((e) => e.actor)).toEqual(expect.arrayContaining([`edge:${EDGE}/retention`, 'cloud']));
  });
});
