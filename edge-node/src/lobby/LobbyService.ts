// The edge's lobby analytics: every configured camera, one shared detector
// pool, and the branch-level numbers the rest of the edge needs — the lobby
// count and the busyness score for the heartbeat, the snapshot and heat maps
// for the HTTP API. Only these aggregates are exposed; frames never leave the
// cameras' analysis loop. Counters are per day: at the branch's local midnight
// each camera's day is closed (kept as `previous`, handed to listeners once)
// and the new day starts from zero. With a `statePath` the day so far survives
// a restart (dayState.ts).
import type { Logger } from '#common/logger';
import { AppError } from '#protocol/errors';
import type { BusynessBreakdown, LobbyDaySummary, LobbySnapshot } from '#protocol/lobby';
import { busynessScore, DEFAULT_BUSYNESS, type BusynessParams } from './busyness.ts';
import type { LobbyFile } from './config.ts';
import { localDay, machineTimeZone } from './day.ts';
import { readDayState, writeDayState } from './dayState.ts';
import type { HeatMap } from './heatmap.ts';
import { DetectorPool, type DetectorBackend, type PersonDetector } from './detector/DetectorPool.ts';
import { LobbyCamera, type FrameResult } from './LobbyCamera.ts';

export interface LobbyServiceOptions {
  file: LobbyFile;
  branchId: string;
  edgeId: string;
  staffOnDuty: number;
  busyness?: BusynessParams;
  /** Worker threads for the detector (one core each while busy). */
  detectorWorkers?: number;
  detectorBackend?: DetectorBackend;
  /** Inject a detector (tests); default: a DetectorPool running CenterNet. */
  detector?: PersonDetector;
  onFrame?: (cameraId: string, result: FrameResult) => void;
  /** IANA time zone whose midnight starts a new day; default the machine's. */
  timeZone?: string;
  /** Milliseconds since the epoch; injected by tests. */
  clock?: () => number;
  /**
   * Where the day so far is kept (every SAVE_EVERY_MS and at close) so that a
   * restart carries on counting it; none: the day lives in memory only.
   */
  statePath?: string;
  /** Start the cameras (default). Off: tests drive the counters themselves. */
  autoStart?: boolean;
  logger: Logger;
}

/** A day that ended: its summary and each camera's heat map of that day. */
export interface ClosedDay {
  summary: LobbyDaySummary;
  heatmaps: Map<string, HeatMap>;
}

/** How often the day is checked; the boundary is also checked on every snapshot. */
const DAY_CHECK_MS = 10_000;
/** How often the day so far is saved: a crash loses at most this much of it. */
const SAVE_EVERY_MS = 60_000;

export class LobbyService {
  readonly cameras: LobbyCamera[];
  staffOnDuty: number;
  readonly timeZone: string;
  readonly #detector: PersonDetector;
  readonly #o: LobbyServiceOptions;
  readonly #clock: () => number;
  readonly #dayListeners = new Set<(day: ClosedDay) => void>();
  #day: string;
  #dayStartedAt: number;
  #previous?: ClosedDay;
  #dayTimer?: NodeJS.Timeout;
  #saveTimer?: NodeJS.Timeout;

  private constructor(o: LobbyServiceOptions, detector: PersonDetector) {
    this.#o = o;
    this.#detector = detector;
    this.staffOnDuty = o.staffOnDuty;
    this.timeZone = o.timeZone ?? machineTimeZone();
    this.#clock = o.clock ?? Date.now;
    this.#dayStartedAt = this.#clock();
    this.#day = localDay(this.#dayStartedAt, this.timeZone);
    this.cameras = o.file.cameras.map(
      (config) =>
        new LobbyCamera({
          config,
          detector,
          logger: o.logger,
          ...(o.onFrame ? { onFrame: (r: FrameResult) => o.onFrame!(config.id, r) } : {}),
        }),
    );
    if (o.statePath) this.#restoreDay(o.statePath);
  }

  /**
   * Carries on the day saved before a restart. A saved day that is not today
   * (the edge was down at midnight) becomes the current day again for a moment:
   * the first checkDay() closes it like any other, so it becomes `previous`
   * and reaches the day listeners (the cloud report) once.
   */
  #restoreDay(file: string): void {
    const saved = readDayState(
      file,
      { branchId: this.#o.branchId, edgeId: this.#o.edgeId, timeZone: this.timeZone },
      this.#o.logger,
    );
    if (!saved) return;
    for (const cam of this.cameras) {
      const state = saved.cameras.find((c) => c.cameraId === cam.config.id);
      if (state) cam.restoreDay(state);
    }
    this.#day = saved.day;
    this.#dayStartedAt = saved.startedAt;
    this.#o.logger.info(
      {
        module: 'lobby',
        day: saved.day,
        savedAt: new Date(saved.savedAt).toISOString(),
        cameras: saved.cameras.length,
      },
      'lobby day restored from disk',
    );
  }

  /** Writes the day so far to `statePath` (no-op without one). */
  saveDay(): void {
    if (!this.#o.statePath) return;
    writeDayState(this.#o.statePath, {
      version: 1,
      branchId: this.#o.branchId,
      edgeId: this.#o.edgeId,
      day: this.#day,
      timeZone: this.timeZone,
      startedAt: this.#dayStartedAt,
      savedAt: this.#clock(),
      cameras: this.cameras.map((c) => c.dayState()),
    });
  }

  #saveQuietly(): void {
    try {
      this.saveDay();
    } catch (err) {
      this.#o.logger.error({ err, module: 'lobby', file: this.#o.statePath }, 'saving the lobby day failed');
    }
  }

  /** Loads the detector (a second or two) and starts every camera. */
  static async start(o: LobbyServiceOptions): Promise<LobbyService> {
    const detector =
      o.detector ??
      (await DetectorPool.create(o.detectorWorkers ?? 1, o.logger, o.detectorBackend ?? 'onnx'));
    const service = new LobbyService(o, detector);
    if (o.autoStart !== false) {
      for (const cam of service.cameras) cam.start();
      service.#dayTimer = setInterval(() => service.checkDay(), DAY_CHECK_MS);
      service.#dayTimer.unref();
      if (o.statePath) {
        service.#saveTimer = setInterval(() => service.#saveQuietly(), SAVE_EVERY_MS);
        service.#saveTimer.unref();
      }
    }
    return service;
  }

  /** The day the counters count now (`YYYY-MM-DD`, local to the branch). */
  get day(): string {
    return this.#day;
  }

  /** The last day closed, until the next midnight. */
  get previous(): ClosedDay | undefined {
    return this.#previous;
  }

  /** Called once for each day that ends. Returns an unsubscribe function. */
  onDayClosed(listener: (day: ClosedDay) => void): () => void {
    this.#dayListeners.add(listener);
    return () => this.#dayListeners.delete(listener);
  }

  /**
   * Closes the day when the branch's local date has changed since it began:
   * every camera's counters and heat map start again, the closed day becomes
   * `previous` and goes to the listeners. Returns the closed day's summary.
   */
  checkDay(): LobbyDaySummary | undefined {
    const now = this.#clock();
    const today = localDay(now, this.timeZone);
    if (today === this.#day) return undefined;
    const closed = this.cameras.map((c) => c.closeDay());
    const summary: LobbyDaySummary = {
      branchId: this.#o.branchId,
      edgeId: this.#o.edgeId,
      day: this.#day,
      timeZone: this.timeZone,
      startedAt: this.#dayStartedAt,
      endedAt: now,
      cameras: closed.map((c) => c.stats),
    };
    this.#previous = { summary, heatmaps: new Map(closed.map((c) => [c.stats.cameraId, c.heatmap])) };
    this.#day = today;
    this.#dayStartedAt = now;
    this.#saveQuietly(); // the new day, so a restart does not bring the closed one back
    this.#o.logger.info({ module: 'lobby', day: summary.day, next: today }, 'lobby day closed');
    for (const listener of this.#dayListeners) {
      try {
        listener(this.#previous);
      } catch (err) {
        this.#o.logger.error({ err, module: 'lobby' }, 'lobby day listener failed');
      }
    }
    return summary;
  }

  camera(id: string): LobbyCamera {
    const cam = this.cameras.find((c) => c.config.id === id);
    if (!cam) throw new AppError('not_found', `no lobby camera "${id}"`);
    return cam;
  }

  /** Resolves when every file camera has ended (tests, the bench). */
  async done(): Promise<void> {
    await Promise.all(this.cameras.map((c) => c.done()));
  }

  /**
   * People in waiting zones now, over all cameras. A camera without waiting
   * zones counts everyone it sees (a small branch with one camera and no zones
   * drawn yet still reports something useful).
   */
  lobbyCount(): number {
    return this.#waiting().count;
  }

  #waiting(): { count: number; waitS: number } {
    let count = 0;
    let waitWeighted = 0;
    for (const cam of this.cameras) {
      const stats = cam.stats();
      const waiting = stats.zones.filter((z) => z.kind === 'waiting');
      if (waiting.length === 0 && cam.config.zones.length === 0) {
        count += stats.people;
        continue;
      }
      for (const z of waiting) {
        count += z.count;
        waitWeighted += (z.currentWaitS ?? 0) * z.count;
      }
    }
    return { count, waitS: count ? waitWeighted / count : 0 };
  }

  busyness(activeCalls: number, maxCalls: number): BusynessBreakdown {
    const { count, waitS } = this.#waiting();
    return busynessScore(
      { lobbyCount: count, waitS: Math.round(waitS), activeCalls, maxCalls, staffOnDuty: this.staffOnDuty },
      this.#o.busyness ?? DEFAULT_BUSYNESS,
    );
  }

  snapshot(activeCalls: number, maxCalls: number): LobbySnapshot {
    this.checkDay();
    const busyness = this.busyness(activeCalls, maxCalls);
    return {
      branchId: this.#o.branchId,
      edgeId: this.#o.edgeId,
      at: this.#clock(),
      day: this.#day,
      timeZone: this.timeZone,
      ...(this.#previous ? { previous: this.#previous.summary } : {}),
      lobbyCount: busyness.inputs.lobbyCount,
      busyness,
      cameras: this.cameras.map((c) => c.stats()),
    };
  }

  async close(): Promise<void> {
    clearInterval(this.#dayTimer);
    clearInterval(this.#saveTimer);
    await Promise.all(this.cameras.map((c) => c.stop()));
    this.#saveQuietly();
    if (!this.#o.detector) await this.#detector.close();
  }
}
