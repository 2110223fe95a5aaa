// The edge's lobby analytics: every configured camera, one shared detector
// pool, and the branch-level numbers the rest of the edge needs — the lobby
// count and the busyness score for the heartbeat, the snapshot and heat maps
// for the HTTP API. Only these aggregates are exposed; frames never leave the
// cameras' analysis loop.
import type { Logger } from '#common/logger';
import { AppError } from '#protocol/errors';
import type { BusynessBreakdown, LobbySnapshot } from '#protocol/lobby';
import { busynessScore, DEFAULT_BUSYNESS, type BusynessParams } from './busyness.ts';
import type { LobbyFile } from './config.ts';
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
  logger: Logger;
}

export class LobbyService {
  readonly cameras: LobbyCamera[];
  staffOnDuty: number;
  readonly #detector: PersonDetector;
  readonly #o: LobbyServiceOptions;

  private constructor(o: LobbyServiceOptions, detector: PersonDetector) {
    this.#o = o;
    this.#detector = detector;
    this.staffOnDuty = o.staffOnDuty;
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
    for (const cam of service.cameras) cam.start();
    return service;
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
    const busyness = this.busyness(activeCalls, maxCalls);
    return {
      branchId: this.#o.branchId,
      edgeId: this.#o.edgeId,
      at: Date.now(),
      lobbyCount: busyness.inputs.lobbyCount,
      busyness,
      cameras: this.cameras.map((c) => c.stats()),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.cameras.map((c) => c.stop()));
    if (!this.#o.detector) await this.#detector.close();
  }
}
