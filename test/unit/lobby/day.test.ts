// The lobby's day: counters start again at the branch's local midnight (its
// IANA time zone, daylight saving included), the day that ended is kept as
// `previous` and handed on once; the reporter gets it to the cloud once,
// holding it while the link is down. Clock injected; the cameras' counters are
// driven directly with tracks (no ffmpeg, no detector).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '#common/logger';
import { LobbyDayReport, LobbySnapshot, type LobbyZone } from '#protocol/lobby';
import { isTimeZone, localDay } from '../../../edge-node/src/lobby/day.ts';
import type { PersonDetector } from '../../../edge-node/src/lobby/detector/DetectorPool.ts';
import type { ClosedDay } from '../../../edge-node/src/lobby/LobbyService.ts';
import { LobbyService, parseLobbyConfig } from '../../../edge-node/src/lobby/index.ts';
import { LobbyReporter, type DaySendResult } from '../../../edge-node/src/lobby/reporter.ts';
import type { Track } from '../../../edge-node/src/lobby/tracker.ts';

const logger = createLogger('lobby-day-test', { level: 'silent' });
const noDetector: PersonDetector = {
  detect: () => Promise.reject(new Error('cameras are not started in this test')),
  close: () => Promise.resolve(),
};
const waiting: LobbyZone = {
  id: 'waiting',
  kind: 'waiting',
  polygon: [
    [0, 0.5],
    [1, 0.5],
    [1, 1],
    [0, 1],
  ],
};

/** A confirmed person whose feet are at (x, y), seen since firstSeenS. */
function person(id: number, x: number, y: number, firstSeenS: number, tS: number): Track {
  return {
    id,
    box: [x - 0.03, y - 0.2, x + 0.03, y],
    score: 0.9,
    velocity: [0, 0],
    hits: 5,
    misses: 0,
    confirmed: true,
    firstSeenS,
    lastSeenS: tS,
  };
}

async function lobbyAt(startIso: string, timeZone: string, statePath?: string, edgeId = 'e1') {
  let now = Date.parse(startIso);
  const service = await LobbyService.start({
    ...(statePath ? { statePath } : {}),
    file: parseLobbyConfig({
      cameras: [{ id: 'hall', source: { kind: 'file', path: '/nonexistent.mp4' }, zones: [waiting] }],
    }),
    branchId: 'b1',
    edgeId,
    staffOnDuty: 2,
    detector: noDetector,
    autoStart: false,
    timeZone,
    clock: () => now,
    logger,
  });
  return {
    service,
    cam: service.cameras[0]!,
    setClock: (iso: string) => (now = Date.parse(iso)),
  };
}

/** A reporter whose periodic reports go nowhere (an hour apart): only its closed days are watched. */
function dayReporter(
  lobby: LobbyService,
  sendDay: (r: LobbyDayReport) => Promise<DaySendResult>,
  pendingDir?: string,
): LobbyReporter {
  return new LobbyReporter({
    lobby,
    activeCalls: () => 0,
    maxCalls: 8,
    intervalMs: 3_600_000,
    send: () => false,
    sendDay,
    ...(pendingDir ? { pendingDir } : {}),
    logger,
  });
}

describe('localDay', () => {
  it("is the date at the branch, not the machine's or UTC's", () => {
    const t = Date.parse('2026-03-10T16:30:00Z');
    expect(localDay(t, 'UTC')).toBe('2026-03-10');
    expect(localDay(t, 'Asia/Hong_Kong')).toBe('2026-03-11'); // 00:30 next day
    expect(localDay(t, 'America/Los_Angeles')).toBe('2026-03-10');
    expect(isTimeZone('Asia/Hong_Kong')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});

describe('daily reset', () => {
  it("closes the day at the branch's midnight: yesterday kept whole, today from zero, people present carried over", async () => {
    const { service, cam, setClock } = await lobbyAt('2026-03-10T14:00:00Z', 'Asia/Hong_Kong'); // 22:00 local
    const closed: ClosedDay[] = [];
    service.onDayClosed((d) => closed.push(d));
    expect(service.snapshot(0, 8)).toMatchObject({ day: '2026-03-10', timeZone: 'Asia/Hong_Kong' });

    // A waits 0…120 s then leaves; B arrives at 100 s and is still waiting at midnight.
    const a = (t: number) => person(1, 0.3, 0.8, 0, t);
    const b = (t: number) => person(2, 0.6, 0.9, 100, t);
    for (let t = 0; t <= 120; t += 10) {
      const active = [a(t), ...(t >= 100 ? [b(t)] : [])];
      cam.zones.update({ active, ended: [] }, t);
      cam.heatmap.add([[0.3, 0.8]], 10);
    }
    cam.zones.update({ active: [b(130)], ended: [a(120)] }, 130);
    const today = cam.stats().zones[0]!;
    expect([today.entries, today.exits, today.count, today.dwell.visits]).toEqual([2, 1, 1, 1]);

    // 23:59:59 local: still the same day (UTC midnight passed long ago for other zones, not here).
    setClock('2026-03-10T15:59:59Z');
    expect(service.checkDay()).toBeUndefined();
    expect(closed).toHaveLength(0);

    // 00:00:05 local: the day closes, once.
    setClock('2026-03-10T16:00:05Z');
    const snap = LobbySnapshot.parse(service.snapshot(0, 8));
    expect(closed).toHaveLength(1);
    expect(service.checkDay()).toBeUndefined();
    expect(closed).toHaveLength(1);

    expect(snap.day).toBe('2026-03-11');
    expect(snap.previous).toMatchObject({
      day: '2026-03-10',
      timeZone: 'Asia/Hong_Kong',
      branchId: 'b1',
      edgeId: 'e1',
      startedAt: Date.parse('2026-03-10T14:00:00Z'),
      endedAt: Date.parse('2026-03-10T16:00:05Z'),
    });
    const yesterday = snap.previous!.cameras[0]!;
    expect(yesterday.heatmapTotalS).toBe(130);
    expect(yesterday.zones[0]).toMatchObject({ zoneId: 'waiting', entries: 2, exits: 1 });
    expect(yesterday.zones[0]!.dwell).toMatchObject({ visits: 1, meanS: 120 });

    // Today: B is still there (counted as an entry of today), nothing else happened yet.
    const now = snap.cameras[0]!.zones[0]!;
    expect([now.count, now.entries, now.exits, now.dwell.visits]).toEqual([1, 1, 0, 0]);
    expect(cam.heatmap.totalS).toBe(0);
    expect(service.previous!.heatmaps.get('hall')!.totalS).toBe(130);
    expect(service.previous!.heatmaps.get('hall')!.peak()[2]).toBe(130);

    // B leaves after midnight: the whole visit (100…300 s) is today's.
    cam.zones.update({ active: [b(300)], ended: [] }, 300);
    cam.zones.update({ active: [], ended: [b(300)] }, 310);
    const later = cam.stats().zones[0]!;
    expect([later.count, later.entries, later.exits]).toEqual([0, 1, 1]);
    expect(later.dwell).toMatchObject({ visits: 1, meanS: 200 });
    // Entries − exits = people present, on both days.
    expect(yesterday.zones[0]!.entries - yesterday.zones[0]!.exits).toBe(1);
  });

  it('follows the local calendar across a daylight-saving change (a 23-hour day)', async () => {
    // New York springs forward on 2026-03-08: that day has 23 hours.
    const { service, setClock } = await lobbyAt('2026-03-08T05:00:30Z', 'America/New_York'); // 00:00:30 EST
    expect(service.day).toBe('2026-03-08');
    setClock('2026-03-09T03:59:00Z'); // 23:59 EDT, 22 h 58 min later
    expect(service.checkDay()).toBeUndefined();
    setClock('2026-03-09T04:00:10Z'); // 00:00:10 EDT, 23 h after the start: a new day, not 24 h later
    expect(service.checkDay()?.day).toBe('2026-03-08');
    expect(service.day).toBe('2026-03-09');
  });

  it('a clock that skips days still closes the current day once, under its own date', async () => {
    const { service, setClock } = await lobbyAt('2026-06-01T10:00:00Z', 'UTC');
    setClock('2026-06-04T10:00:00Z');
    expect(service.checkDay()?.day).toBe('2026-06-01');
    expect(service.checkDay()).toBeUndefined();
    expect(service.day).toBe('2026-06-04');
  });
});

describe('day report to the cloud', () => {
  it('is sent once the cloud acknowledges it, kept while the link is down, and carries that day’s heat map', async () => {
    const { service, cam, setClock } = await lobbyAt('2026-03-10T10:00:00Z', 'UTC');
    cam.heatmap.add([[0.5, 0.75]], 60);
    const sent: LobbyDayReport[] = [];
    let link: DaySendResult = 'offline';
    const reporter = dayReporter(service, async (r) => {
      sent.push(LobbyDayReport.parse(r));
      return link;
    });
    reporter.start();
    try {
      setClock('2026-03-11T00:00:01Z');
      service.checkDay();
      await expect.poll(() => sent.length).toBe(1);
      // The link is down: the day waits.
      expect(reporter.pendingDays).toEqual(['2026-03-10']);
      link = 'delivered';
      await reporter.flushDays();
      expect(sent).toHaveLength(2);
      expect(reporter.pendingDays).toEqual([]);
      // Nothing is sent again on later ticks.
      await reporter.flushDays();
      expect(sent).toHaveLength(2);
      const report = sent[1]!;
      expect(report.summary.day).toBe('2026-03-10');
      expect(report.heatmaps.map((h) => [h.cameraId, h.totalS])).toEqual([['hall', 60]]);
      expect(Buffer.from(report.heatmaps[0]!.pngBase64, 'base64').subarray(1, 4).toString()).toBe('PNG');

      // A day the cloud refuses for good (not its edge, bad data) is not retried forever.
      link = { rejected: 'forbidden: wrong edge' };
      setClock('2026-03-12T00:00:01Z');
      service.checkDay();
      await expect.poll(() => reporter.pendingDays).toEqual([]);
      expect(sent.at(-1)!.summary.day).toBe('2026-03-11');
    } finally {
      reporter.stop();
      await service.close();
    }
  });
});

describe('closed days wait on disk for the cloud (pendingDir)', () => {
  it('a day the cloud has not acknowledged is sent by the next run of the edge, then forgotten', async () => {
    const pendingDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'lobby-pending-')), 'pending-days');
    const { service, cam, setClock } = await lobbyAt('2026-03-10T10:00:00Z', 'UTC');
    cam.heatmap.add([[0.5, 0.75]], 60);
    const sent: LobbyDayReport[] = [];
    let link: DaySendResult = 'offline';
    const reporterFor = (lobby: LobbyService) =>
      dayReporter(
        lobby,
        async (r) => {
          sent.push(LobbyDayReport.parse(r));
          return link;
        },
        pendingDir,
      );
    const first = reporterFor(service);
    first.start();
    setClock('2026-03-11T00:00:01Z');
    service.checkDay();
    await expect.poll(() => sent.length).toBe(1); // tried, the cloud is unreachable
    expect(
      LobbyDayReport.parse(JSON.parse(readFileSync(path.join(pendingDir, '2026-03-10.json'), 'utf8'))).summary
        .day,
    ).toBe('2026-03-10');
    first.stop(); // the edge goes down
    await service.close();

    // The edge comes back: a new service that knows nothing of yesterday but what is on disk.
    link = 'delivered';
    const restarted = await lobbyAt('2026-03-11T08:00:00Z', 'UTC');
    const second = reporterFor(restarted.service);
    second.start();
    try {
      expect(restarted.service.previous).toBeUndefined();
      expect(second.pendingDays).toEqual(['2026-03-10']);
      await second.flushDays();
      await expect.poll(() => second.pendingDays).toEqual([]);
      expect(sent.map((r) => r.summary.day)).toEqual(['2026-03-10', '2026-03-10']);
      expect(sent[1]!.heatmaps.map((h) => [h.cameraId, h.totalS])).toEqual([['hall', 60]]);
      expect(existsSync(path.join(pendingDir, '2026-03-10.json'))).toBe(false);
    } finally {
      second.stop();
      await restarted.service.close();
    }
  });

  it('a day closed before the reporter started still goes to the cloud', async () => {
    const { service, setClock } = await lobbyAt('2026-03-10T10:00:00Z', 'UTC');
    setClock('2026-03-11T00:00:01Z');
    service.checkDay(); // e.g. a day restored at start-up, closed before the cloud link was up
    const sent: string[] = [];
    const reporter = dayReporter(service, async (r) => {
      sent.push(r.summary.day);
      return 'delivered';
    });
    reporter.start();
    try {
      await expect.poll(() => sent).toEqual(['2026-03-10']);
      expect(reporter.pendingDays).toEqual([]);
    } finally {
      reporter.stop();
      await service.close();
    }
  });
});

describe('the day survives a restart (statePath)', () => {
  const dir = () => mkdtempSync(path.join(os.tmpdir(), 'lobby-day-'));

  it('a restarted edge carries on the day: counts, dwell and heat map kept, a person still present counted once', async () => {
    const file = path.join(dir(), 'lobby', 'day.json');
    const first = await lobbyAt('2026-03-10T02:00:00Z', 'Asia/Hong_Kong', file); // 10:00 local
    // A waits 0…120 s and leaves; B arrives at 100 s and is still waiting when the edge stops.
    for (let t = 0; t <= 120; t += 10) {
      first.cam.zones.update(
        {
          active: [person(1, 0.3, 0.8, 0, t), ...(t >= 100 ? [person(2, 0.6, 0.9, 100, t)] : [])],
          ended: [],
        },
        t,
      );
      first.cam.heatmap.add([[0.3, 0.8]], 10);
    }
    first.cam.zones.update(
      { active: [person(2, 0.6, 0.9, 100, 130)], ended: [person(1, 0.3, 0.8, 0, 120)] },
      130,
    );
    const before = first.cam.stats().zones[0]!;
    expect([before.entries, before.exits, before.count]).toEqual([2, 1, 1]);
    await first.service.close(); // saves

    const second = await lobbyAt('2026-03-10T03:00:00Z', 'Asia/Hong_Kong', file);
    try {
      expect(second.service.day).toBe('2026-03-10');
      const restored = second.cam.stats().zones[0]!;
      // B's open visit is not carried: nobody is known inside until the camera sees B again.
      expect([restored.entries, restored.exits, restored.count]).toEqual([1, 1, 0]);
      expect(restored.dwell).toEqual(before.dwell);
      expect(second.cam.heatmap.totalS).toBe(130);
      expect(second.cam.heatmap.toGrid()).toEqual(first.cam.heatmap.toGrid());
      // B seen again: one entry more, and entries − exits is the people present.
      second.cam.zones.update({ active: [person(7, 0.6, 0.9, 0, 0)], ended: [] }, 0);
      const now = second.cam.stats().zones[0]!;
      expect([now.entries, now.exits, now.count]).toEqual([2, 1, 1]);
      expect(second.service.previous).toBeUndefined();
    } finally {
      await second.service.close();
    }
  });

  it('a day still open when the edge went down is closed once when it comes back, and reaches the cloud report', async () => {
    const file = path.join(dir(), 'day.json');
    const first = await lobbyAt('2026-03-10T14:00:00Z', 'Asia/Hong_Kong', file); // 22:00 local
    first.cam.zones.update({ active: [person(1, 0.3, 0.8, 0, 0)], ended: [] }, 0);
    first.cam.zones.update({ active: [], ended: [person(1, 0.3, 0.8, 0, 50)] }, 60);
    first.cam.heatmap.add([[0.3, 0.8]], 50);
    first.service.saveDay(); // the periodic save; then the edge dies without closing

    const second = await lobbyAt('2026-03-11T01:00:00Z', 'Asia/Hong_Kong', file); // 09:00 next day
    const closed: ClosedDay[] = [];
    second.service.onDayClosed((d) => closed.push(d));
    try {
      const snap = LobbySnapshot.parse(second.service.snapshot(0, 8));
      expect(snap.day).toBe('2026-03-11');
      expect(closed.map((d) => d.summary.day)).toEqual(['2026-03-10']);
      expect(snap.previous).toMatchObject({
        day: '2026-03-10',
        startedAt: Date.parse('2026-03-10T14:00:00Z'),
      });
      expect(snap.previous!.cameras[0]!.zones[0]).toMatchObject({
        entries: 1,
        exits: 1,
        dwell: { visits: 1 },
      });
      expect(closed[0]!.heatmaps.get('hall')!.totalS).toBe(50);
      expect(second.cam.stats().zones[0]).toMatchObject({ entries: 0, exits: 0 });
      // The new day was saved at once: a second restart does not close yesterday again.
      await second.service.close();
      const third = await lobbyAt('2026-03-11T01:05:00Z', 'Asia/Hong_Kong', file);
      expect(third.service.day).toBe('2026-03-11');
      expect(third.service.checkDay()).toBeUndefined();
      await third.service.close();
    } finally {
      await second.service.close();
    }
  });

  it('a corrupt file, or one saved by another edge, is set aside and the day counted from zero', async () => {
    const d = dir();
    const file = path.join(d, 'day.json');
    writeFileSync(file, '{"version":1,"day":');
    const a = await lobbyAt('2026-03-10T02:00:00Z', 'UTC', file);
    expect(a.cam.stats().zones[0]!.entries).toBe(0);
    expect(readFileSync(`${file}.rejected`, 'utf8')).toBe('{"version":1,"day":');
    a.cam.zones.update({ active: [person(1, 0.3, 0.8, 0, 0)], ended: [] }, 0);
    a.cam.zones.update({ active: [], ended: [person(1, 0.3, 0.8, 0, 5)] }, 5);
    await a.service.close();

    const other = await lobbyAt('2026-03-10T02:10:00Z', 'UTC', file, 'e2');
    try {
      expect(other.cam.stats().zones[0]!.entries).toBe(0);
      expect(existsSync(file)).toBe(false);
      expect(JSON.parse(readFileSync(`${file}.rejected`, 'utf8'))).toMatchObject({ edgeId: 'e1' });
    } finally {
      await other.service.close();
    }
    // the other edge's own day is saved in its place
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ edgeId: 'e2', day: '2026-03-10' });
  });
});
