// The edge's lobby analytics: every configured camera, one shared detector
// pool, and the branch-level numbers the rest of the edge needs — the lobby
// count and the busyness score for the heartbeat, the snapshot and heat maps
// for the HTTP API. Only these aggregates are exposed; frames never leave the
// cameras' analysis loop. Counters are per day: at the branch's local midnight
// each camera's day is closed (kept as `previous`, handed to listeners once)
// and the new day starts from zero.
import type { Logger } from '#common/logger';
import { AppError } from '#protocol/errors';
import type { BusynessBreakdown, LobbyDaySummary, LobbySnapshot } from '#protocol/lobby';
import { busynessScore, DEFAULT_BUSYNESS, type BusynessParams } from './busyness.ts';
import type { LobbyFile } from './config.ts';
import { localDay, machineTimeZone } from './day.ts';
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
    await Promise.all(this.cameras.map((c) => c.stop()));
    if (!this.#o.detector) await this.#detector.close();
  }
}
