// Lobby analytics in a real edge linked to a real cloud: the lobby count and
// busyness ride the heartbeat, the cloud's branch routing sends walk-ins to
// the quieter branch because of them, and nothing but small aggregates ever
// crosses the edge link — no frame, no image, no binary.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { LoginResponse } from '#protocol/api';
import { createLogger } from '#common/logger';
import {
  BranchLobby,
  BranchLobbyDay,
  LOBBY_DAY_EVENT,
  LOBBY_REPORT_EVENT,
  LobbyAccessResponse,
  LobbyDayReport,
  LobbyReport,
  LobbySnapshot,
} from '#protocol/lobby';
import {
  localDay,
  LobbyReporter,
  LobbyService,
  sendDayOverLink,
  type AckSocket,
  type DaySendResult,
} from '../../edge-node/src/lobby/index.ts';
import { renderScriptedLobby } from '../../scripts/lobby-assets.ts';
import {
  api,
  login,
  ScriptedEdge,
  seedBranchWithEdge,
  startCloud,
  uniquePrefix,
  waitFor,
  withServices,
  type CloudHandle,
} from '../helpers/cloud.ts';
import { startTestEdge, type TestEdge } from '../helpers/edge.ts';

const ADMIN_TOKEN = 'lobby-admin-token-0123456789';

interface Captured {
  event: string;
  bytes: number;
  binary: boolean;
  data: unknown[];
}

/** True when a payload holds raw bytes anywhere (what a frame or an image would travel as). */
function hasBinary(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (Buffer.isBuffer(v) || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return true;
  return Object.values(v as Record<string, unknown>).some(hasBinary);
}

describe('lobby busyness from a real edge reaches the cloud dispatch', () => {
  const redisUrl = inject('redisUrl');
  const prefix = uniquePrefix('lobby');
  const captured: Captured[] = [];
  let cloud: CloudHandle;
  let edge: TestEdge;
  let quiet: ScriptedEdge;
  let manager: LoginResponse;
  let expert: LoginResponse;
  let workDir: string;

  beforeAll(async () => {
    const clip = await renderScriptedLobby();
    workDir = mkdtempSync(path.join(os.tmpdir(), 'lobby-edge-'));
    // The whole picture is the waiting area: everyone the camera sees waits. Looped, so people stay.
    const lobbyFile = path.join(workDir, 'lobby.json');
    writeFileSync(
      lobbyFile,
      JSON.stringify({
        cameras: [
          {
            id: 'hall',
            source: { kind: 'file', path: clip, loop: true },
            zones: [
              {
                id: 'hall',
                kind: 'waiting',
                polygon: [
                  [0, 0],
                  [1, 0],
                  [1, 1],
                  [0, 1],
                ],
              },
            ],
          },
        ],
      }),
    );
    // Two branches; the one with the lobby camera is 0.3 km nearer the customer.
    const busyKey = await seedBranchWithEdge(redisUrl, prefix, 'br-lobby', 'edge-lobby', {
      lat: 22.28,
      lon: 114.16,
    });
    const quietKey = await seedBranchWithEdge(redisUrl, prefix, 'br-quiet', 'edge-quiet', {
      lat: 22.28,
      lon: 114.163,
    });
    await withServices(redisUrl, prefix, async (s) => {
      await s.staff.create({
        username: 'mgr-lobby',
        password: 'manager-pass',
        displayName: 'M',
        role: 'manager',
        branchId: 'br-lobby',
      });
      await s.staff.create({
        username: 'exp-lobby',
        password: 'expert-pass',
        displayName: 'E',
        role: 'expert',
        skills: ['wealth'],
      });
    });
    cloud = await startCloud({ redisUrl, prefix });
    // Everything the edge sends the cloud, as the cloud receives it.
    cloud.cloud!.io.of('/edge').on('connection', (socket) => {
      socket.onAny((event: string, ...args: unknown[]) => {
        const data = args.filter((a) => typeof a !== 'function');
        captured.push({
          event,
          bytes: Buffer.byteLength(JSON.stringify(data)),
          binary: hasBinary(data),
          data,
        });
      });
    });
    quiet = new ScriptedEdge({
      cloudUrl: cloud.url,
      edgeId: 'edge-quiet',
      branchId: 'br-quiet',
      key: quietKey,
      busyness: 0,
    });
    await quiet.start();
    edge = await startTestEdge({
      EDGE_ID: 'edge-lobby',
      BRANCH_ID: 'br-lobby',
      EDGE_KEY: busyKey,
      CLOUD_URL: cloud.url,
      HEARTBEAT_INTERVAL_MS: '200',
      LOBBY_CONFIG_FILE: lobbyFile,
      LOBBY_STAFF_ON_DUTY: '1',
      LOBBY_ADMIN_TOKEN: ADMIN_TOKEN,
      LOBBY_REPORT_INTERVAL_MS: '1000',
    });
    manager = await login(cloud.url, 'mgr-lobby', 'manager-pass');
    expert = await login(cloud.url, 'exp-lobby', 'expert-pass');
  }, 120_000);

  afterAll(async () => {
    await edge?.stop();
    quiet?.stop();
    await cloud?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('heartbeats carry the lobby count and the cloud routes walk-ins to the quieter branch', async () => {
    type Rec = { branchId: string; busyness: number | null; cost: number };
    const recommend = async () =>
      (
        await api<{ candidates: Rec[] }>(
          cloud.url,
          'GET',
          '/api/v1/branches/recommend?lat=22.28&lon=114.159',
          {
            token: manager.accessToken,
          },
        )
      ).body.candidates;
    // Both edges report a busyness before we compare.
    await waitFor(
      async () => (await recommend()).length === 2 && (await recommend()).every((c) => c.busyness !== null),
      20_000,
      'both edges online',
    );
    let summary: { busyness?: { score: number; lobbyCount?: number } } = {};
    await waitFor(
      async () => {
        summary = (
          await api<typeof summary>(cloud.url, 'GET', '/api/v1/edges/edge-lobby', {
            token: manager.accessToken,
          })
        ).body;
        return (summary.busyness?.lobbyCount ?? 0) >= 1;
      },
      60_000,
      'a lobby count in the heartbeat',
    );
    expect(summary.busyness!.score).toBeGreaterThan(0.1); // ≥ 1 waiting for 1 member of staff
    const ranked = await recommend();
    expect(ranked.map((c) => c.branchId)).toEqual(['br-quiet', 'br-lobby']);
    expect(ranked[1]!.busyness!).toBeGreaterThan(0.1);
  });

  it('serves the lobby aggregates and a heat map on the edge to holders of a cloud-issued lobby token, and takes the staff count from an authorised caller', async () => {
    const access = async (who: LoginResponse) => {
      const res = await api<LobbyAccessResponse>(
        cloud.url,
        'POST',
        '/api/v1/branches/br-lobby/lobby/access',
        {
          token: who.accessToken,
        },
      );
      expect(res.status).toBe(200);
      const body = LobbyAccessResponse.parse(res.body);
      expect(body.edges.map((e) => e.edgeId)).toEqual(['edge-lobby']);
      // The cloud hands out where the edge is, as the edge announced it.
      expect(body.edges[0]!.publicUrl).toBe(edge.url.replace('127.0.0.1', 'localhost'));
      return body.edges[0]!;
    };
    const get = (p: string, token?: string) =>
      fetch(`${edge.url}${p}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    const mgr = await access(manager);
    expect(mgr.scope).toEqual(['read', 'staff']);
    const exp = await access(expert);
    expect(exp.scope).toEqual(['read']);
    // A manager of another branch gets no token for this one.
    expect(
      (
        await api(cloud.url, 'POST', '/api/v1/branches/br-quiet/lobby/access', {
          token: manager.accessToken,
        })
      ).status,
    ).toBe(403);

    expect((await get('/lobby')).status).toBe(401);
    expect((await get('/lobby/cameras/hall/heatmap.png')).status).toBe(401);
    const snap = LobbySnapshot.parse(await (await get('/lobby', exp.token)).json());
    expect(snap.branchId).toBe('br-lobby');
    // Counting "today", in the edge's time zone (the machine's unless LOBBY_TIMEZONE says otherwise).
    expect(snap.timeZone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(snap.day).toBe(localDay(snap.at, snap.timeZone!));
    expect(snap.cameras[0]!.framesAnalysed).toBeGreaterThan(0);
    const png = await get('/lobby/cameras/hall/heatmap.png', mgr.token);
    expect(png.headers.get('content-type')).toBe('image/png');
    const meta = await sharp(Buffer.from(await png.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([512, 384]);
    expect((await get('/lobby/cameras/nope/heatmap.png', mgr.token)).status).toBe(404);
    // Yesterday's map once a midnight has passed; not before. A bad `day` is a typed 400.
    expect((await get('/lobby/cameras/hall/heatmap.png?day=previous', mgr.token)).status).toBe(404);
    expect((await get('/lobby/cameras/hall/heatmap.json?day=monday', mgr.token)).status).toBe(400);

    const put = (auth: string | undefined, body: unknown) =>
      fetch(`${edge.url}/lobby/staff`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
        body: JSON.stringify(body),
      });
    expect((await put(undefined, { staffOnDuty: 9 })).status).toBe(401);
    // The expert may look, not set the staff count.
    const readOnly = await put(exp.token, { staffOnDuty: 9 });
    expect(readOnly.status).toBe(403);
    expect(((await readOnly.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe(
      'wrong_scope',
    );
    const bad = await put(ADMIN_TOKEN, { staffOnDuty: -1 });
    expect(bad.status).toBe(400);
    expect(
      ((await bad.json()) as { error: { details: { fields: { path: string }[] } } }).error.details.fields[0]!
        .path,
    ).toBe('staffOnDuty');
    const before = edge.edge.lobby!.busyness(0, 8);
    const ok = await put(mgr.token, { staffOnDuty: 9 });
    expect(ok.status).toBe(200);
    const after = (await ok.json()) as { lobby: number; inputs: { staffOnDuty: number; lobbyCount: number } };
    expect(after.inputs.staffOnDuty).toBe(9);
    // More staff, same crowd: the lobby weighs less.
    if (after.inputs.lobbyCount === before.inputs.lobbyCount) expect(after.lobby).toBeLessThan(before.lobby);
    // The branch's own secret still works (local tools; an edge without a cloud).
    expect((await put(ADMIN_TOKEN, { staffOnDuty: 2 })).status).toBe(200);
  });

  it('the cloud keeps the latest lobby report for the ops view, per branch, managers only for their own', async () => {
    let lobby: BranchLobby | undefined;
    await waitFor(
      async () => {
        const res = await api<BranchLobby>(cloud.url, 'GET', '/api/v1/branches/br-lobby/lobby', {
          token: manager.accessToken,
        });
        lobby = res.body;
        return res.status === 200 && lobby.edges.length === 1;
      },
      30_000,
      'a stored lobby report',
    );
    const report = BranchLobby.parse(lobby).edges[0]!;
    expect(report.edgeId).toBe('edge-lobby');
    expect(report.snapshot.cameras[0]!.zones[0]!.dwell.boundsS.length).toBeGreaterThan(0);
    const png = Buffer.from(report.heatmaps[0]!.pngBase64, 'base64');
    expect((await sharp(png).metadata()).format).toBe('png');
    const other = await api(cloud.url, 'GET', '/api/v1/branches/br-quiet/lobby', {
      token: manager.accessToken,
    });
    expect(other.status).toBe(403);
  });

  it("a closed day reaches the cloud once over the edge's link and is served per branch and day", async () => {
    // The edge's day ends at its midnight; here a service on a clock we move, with the edge's camera
    // config and identity, closes a day, and its reporter sends it over the real edge's cloud link.
    const link = edge.edge.cloudLink!;
    const send = (r: Parameters<typeof sendDayOverLink>[2]) =>
      sendDayOverLink(link.socket as unknown as AckSocket, link.state === 'online', r);
    let now = Date.parse('2026-03-10T20:00:00Z');
    const day = await LobbyService.start({
      file: { cameras: edge.edge.lobby!.cameras.map((c) => c.config) },
      branchId: 'br-lobby',
      edgeId: 'edge-lobby',
      staffOnDuty: 1,
      detector: { detect: () => Promise.reject(new Error('not started')), close: async () => {} },
      autoStart: false,
      timeZone: 'Asia/Hong_Kong',
      clock: () => now,
      logger: createLogger('lobby-day', { level: 'silent' }),
    });
    day.cameras[0]!.heatmap.add([[0.5, 0.8]], 42);
    const results: DaySendResult[] = [];
    const reporter = new LobbyReporter({
      lobby: day,
      activeCalls: () => 0,
      maxCalls: 8,
      intervalMs: 3_600_000,
      send: () => false,
      sendDay: async (r) => {
        const result = await send(r);
        results.push(result);
        return result;
      },
      logger: createLogger('lobby-day', { level: 'silent' }),
    });
    reporter.start();
    try {
      now = Date.parse('2026-03-11T16:00:01Z'); // 00:00:01 on the 12th in Hong Kong: the 11th closes
      expect(day.checkDay()?.day).toBe('2026-03-11');
      await waitFor(() => results.length === 1, 15_000, 'the day acknowledged');
      expect(results).toEqual(['delivered']);
      expect(reporter.pendingDays).toEqual([]);

      const get = (branch: string, d: string, token = manager.accessToken) =>
        api<BranchLobbyDay>(cloud.url, 'GET', `/api/v1/branches/${branch}/lobby/days/${d}`, { token });
      const first = await get('br-lobby', '2026-03-11');
      expect(first.status).toBe(200);
      const stored = BranchLobbyDay.parse(first.body).edges;
      expect(stored.map((e) => [e.edgeId, e.summary.day, e.summary.timeZone])).toEqual([
        ['edge-lobby', '2026-03-11', 'Asia/Hong_Kong'],
      ]);
      expect(stored[0]!.heatmaps[0]!.totalS).toBe(42);

      // A resend (say the ack was lost) is acknowledged but changes nothing.
      const again = await reporter.dayReport(day.previous!);
      expect(await send(again)).toBe('delivered');
      const after = BranchLobbyDay.parse((await get('br-lobby', '2026-03-11')).body).edges;
      expect(after[0]!.receivedAt).toBe(stored[0]!.receivedAt);
      // An edge reports only its own branch's days.
      expect(await send({ ...again, summary: { ...again.summary, branchId: 'br-quiet' } })).toEqual({
        rejected: expect.stringMatching(/^forbidden/),
      });
      expect(BranchLobbyDay.parse((await get('br-lobby', '2026-03-10')).body).edges).toEqual([]);
      expect((await get('br-lobby', 'yesterday')).status).toBe(400);
      expect((await get('br-quiet', '2026-03-11')).status).toBe(403);
    } finally {
      reporter.stop();
      await day.close();
    }
  });

  it('sends the cloud no frame: only small JSON messages, nothing binary, nothing stored on disk', async () => {
    await waitFor(() => edge.edge.lobby!.cameras[0]!.framesAnalysed >= 10, 90_000, 'ten analysed frames');
    const heartbeats = captured.filter((c) => c.event === 'edge:heartbeat');
    expect(heartbeats.length).toBeGreaterThan(3);
    // Whatever else the edge tells the cloud (hello, heartbeats, other modules' links), none of it is binary.
    expect(
      captured.filter((c) => c.binary),
      `events: ${[...new Set(captured.map((c) => c.event))].join(', ')}`,
    ).toEqual([]);
    // One analysed frame is 512×512×3 = 786 kB. Heartbeats and the rest stay under 2 kB; a lobby report
    // (aggregates + heat maps) under 64 kB, and its only image is the heat map: grid-sized, not frame-sized.
    const reports = captured.filter((c) => c.event === LOBBY_REPORT_EVENT);
    const days = captured.filter((c) => c.event === LOBBY_DAY_EVENT);
    expect(reports.length).toBeGreaterThan(0);
    expect(
      Math.max(
        ...captured
          .filter((c) => c.event !== LOBBY_REPORT_EVENT && c.event !== LOBBY_DAY_EVENT)
          .map((c) => c.bytes),
      ),
    ).toBeLessThan(2048);
    // A closed day is the same kind of message: aggregates and grid-sized heat maps.
    expect(days.length).toBeGreaterThan(0);
    for (const d of days) {
      expect(d.bytes).toBeLessThan(64 * 1024);
      for (const h of LobbyDayReport.parse(d.data[0]).heatmaps) {
        const meta = await sharp(Buffer.from(h.pngBase64, 'base64')).metadata();
        expect([meta.width, meta.height]).toEqual([32 * 8, 24 * 8]);
      }
    }
    expect(Math.max(...reports.map((c) => c.bytes))).toBeLessThan(64 * 1024);
    for (const r of reports.slice(-3)) {
      const report = LobbyReport.parse(r.data[0]);
      expect(report.heatmaps.map((h) => h.cameraId)).toEqual(['hall']);
      const meta = await sharp(Buffer.from(report.heatmaps[0]!.pngBase64, 'base64')).metadata();
      expect([meta.width, meta.height]).toEqual([32 * 8, 24 * 8]);
    }
    // No frame files: the camera has no storeFrames, so neither the edge's data dir nor the config dir gained any.
    const dataDir = path.join(edge.dir, 'data');
    const files = existsSync(dataDir) ? readdirSync(dataDir, { recursive: true }).map(String) : [];
    expect(files.filter((f) => /\.(jpe?g|png|rgb|raw|yuv|mp4|avi)$/i.test(f))).toEqual([]);
    expect(readdirSync(workDir)).toEqual(['lobby.json']);
  });
});
