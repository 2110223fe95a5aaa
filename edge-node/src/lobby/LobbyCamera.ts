// One lobby camera: frames (ffmpeg) → people (detector) → tracks → zone
// occupancy, dwell and heat map. Live sources reconnect with back-off; a file
// ends (or loops). Frames live in memory for one analysis and are dropped,
// unless the camera's config asks for a sample to be kept on the edge's disk.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Logger } from '#common/logger';
import type { CameraDayStats, CameraStats } from '#protocol/lobby';
import { redactUrl, type CameraConfig } from './config.ts';
import type { LobbyDayState } from './dayState.ts';
import { CENTERNET_INPUT, type Detection } from './detector/model.ts';
import type { PersonDetector } from './detector/DetectorPool.ts';
import { percentile, round1 } from './dwell.ts';
import { FrameSource, type Frame } from './FrameSource.ts';
import { footPoint, pointInPolygon } from './geometry.ts';
import { HeatMap } from './heatmap.ts';
import { Tracker, type Track } from './tracker.ts';
import { ZoneCounter } from './zones.ts';

export interface FrameResult {
  frame: Pick<Frame, 'index' | 'tS'>;
  detections: Detection[];
  tracks: Track[];
}

export interface LobbyCameraOptions {
  config: CameraConfig;
  detector: PersonDetector;
  logger: Logger;
  /** Called after each analysed frame (tests and the bench observe the pipeline here). */
  onFrame?: (result: FrameResult) => void;
  ffmpegBin?: string;
}

const MAX_BACKOFF_MS = 30_000;

export class LobbyCamera {
  readonly config: CameraConfig;
  readonly tracker = new Tracker();
  readonly zones: ZoneCounter;
  #heatmap: HeatMap;
  state: CameraStats['state'] = 'starting';
  framesAnalysed = 0;
  lastError: string | undefined;
  readonly #detector: PersonDetector;
  readonly #logger: Logger;
  readonly #listeners = new Set<(r: FrameResult) => void>();
  readonly #ffmpegBin?: string;
  readonly #detectMs: number[] = [];
  #source?: FrameSource;
  #droppedBefore = 0;
  #mediaTimeS = 0;
  #lastTs: number | undefined;
  #lastStoredS = -Infinity;
  #stopped = false;
  #run?: Promise<void>;
  #people = 0;
  #wake?: () => void;

  constructor(o: LobbyCameraOptions) {
    this.config = o.config;
    this.zones = new ZoneCounter(o.config.zones);
    this.#heatmap = new HeatMap(o.config.heatmap.cols, o.config.heatmap.rows);
    this.#detector = o.detector;
    this.#logger = o.logger.child({ module: 'lobby', camera: o.config.id });
    if (o.onFrame) this.#listeners.add(o.onFrame);
    this.#ffmpegBin = o.ffmpegBin;
  }

  /** Observe each analysed frame's people (never its pixels). Returns an unsubscribe function. */
  onFrame(listener: (r: FrameResult) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Today's heat map (since midnight or the edge's start). */
  get heatmap(): HeatMap {
    return this.#heatmap;
  }

  /** Ends the day: its zone counters and heat map; the next day starts from zero (people present stay). */
  closeDay(): { stats: CameraDayStats; heatmap: HeatMap } {
    const heatmap = this.#heatmap;
    this.#heatmap = new HeatMap(heatmap.cols, heatmap.rows);
    return {
      stats: {
        cameraId: this.config.id,
        zones: this.zones.closeDay(),
        heatmapTotalS: round1(heatmap.totalS),
      },
      heatmap,
    };
  }

  /** The day so far (zone counters and heat map), for the state file. */
  dayState(): LobbyDayState['cameras'][number] {
    return {
      cameraId: this.config.id,
      zones: this.zones.dayState(),
      heatmap: {
        cols: this.#heatmap.cols,
        rows: this.#heatmap.rows,
        totalS: this.#heatmap.totalS,
        cells: Array.from(this.#heatmap.cells),
      },
    };
  }

  /** Carries on a saved day (before the camera starts). A heat map of another grid size is not restored. */
  restoreDay(saved: LobbyDayState['cameras'][number]): void {
    this.zones.restoreDay(saved.zones);
    const { cols, rows, cells, totalS } = saved.heatmap;
    if (cols === this.#heatmap.cols && rows === this.#heatmap.rows && cells.length === cols * rows)
      this.#heatmap.restore(cells, totalS);
  }

  get live(): boolean {
    return this.config.source.kind !== 'file' || this.config.source.realtime;
  }

  start(): void {
    this.#run ??= this.#loop();
  }

  /** Resolves when a file source has been fully analysed (never, for a live source, until stop()). */
  done(): Promise<void> {
    return this.#run ?? Promise.resolve();
  }

  async #loop(): Promise<void> {
    let failures = 0;
    let nextIndex = 0;
    let startS = 0;
    const src = this.config.source;
    this.#logger.info(
      {
        source: src.kind === 'rtsp' ? redactUrl(src.url) : src.kind === 'rtp' ? src.sdpFile : src.path,
        fps: this.config.fps,
      },
      'lobby camera starting',
    );
    const startedAt = Date.now();
    while (!this.#stopped) {
      // A live camera's clock is the wall clock: time lost while reconnecting still passes for the people waiting.
      if (this.live) startS = Math.max(startS, (Date.now() - startedAt) / 1000);
      const source = new FrameSource(
        {
          source: src,
          fps: this.config.fps,
          width: CENTERNET_INPUT,
          height: CENTERNET_INPUT,
          ffmpegBin: this.#ffmpegBin,
          // A live camera sends a frame every 1/fps s; ten times that (≥ 10 s) without one is a dead stream.
          ...(this.live ? { stallTimeoutMs: Math.max(10_000, 10_000 / this.config.fps) } : {}),
        },
        nextIndex,
        startS,
      );
      this.#source = source;
      let got = 0;
      try {
        for await (const frame of source.frames(this.live)) {
          if (this.#stopped) break;
          this.state = 'running';
          got++;
          nextIndex = frame.index + 1;
          startS = frame.tS + 1 / this.config.fps;
          await this.#analyse(frame);
        }
      } catch (err) {
        this.lastError = (err as Error).message;
        this.#logger.warn({ err: this.lastError }, 'lobby camera analysis failed');
      }
      this.#droppedBefore += source.dropped;
      this.#source = undefined;
      if (this.#stopped) break;
      if (source.exitCode !== 0 && source.stderr) this.lastError = redactUrl(source.stderr);
      if (src.kind === 'file' && !this.live && (source.exitCode === 0 || got > 0)) {
        this.#finish('ended');
        return;
      }
      failures = got > 0 ? 1 : failures + 1;
      if (src.kind === 'file' && failures > 3) {
        this.#finish('failed');
        return;
      }
      this.state = 'reconnecting';
      const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(5, failures - 1));
      this.#logger.warn({ err: this.lastError, retryInMs: delay }, 'lobby camera stream ended, reconnecting');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
    this.#finish('ended');
  }

  #finish(state: CameraStats['state']): void {
    this.state = state;
    // Whoever is still tracked leaves now: their visits go into the histograms.
    for (const track of this.tracker.flush()) this.zones.end(track);
    this.#people = 0;
  }

  async #analyse(frame: Frame): Promise<void> {
    if (this.config.storeFrames && frame.tS - this.#lastStoredS >= this.config.storeFrames.everyS) {
      this.#lastStoredS = frame.tS;
      await this.#store(frame);
    }
    const { detections: found, ms } = await this.#detector.detect(
      frame.rgb,
      frame.width,
      frame.height,
      this.config.minScore,
    );
    const detections = found.filter(
      (d) => !this.config.ignore.some((poly) => pointInPolygon(footPoint(d.box), poly)),
    );
    this.#detectMs.push(ms);
    if (this.#detectMs.length > 100) this.#detectMs.shift();
    const update = this.tracker.update(detections, frame.tS);
    this.zones.update(update, frame.tS);
    // Heat: each person present accrues the time since the previous analysed frame.
    const dt =
      this.#lastTs === undefined
        ? 1 / this.config.fps
        : Math.min(frame.tS - this.#lastTs, 5 / this.config.fps);
    this.#lastTs = frame.tS;
    this.#mediaTimeS = frame.tS;
    const present = update.active.filter((t) => t.misses === 0);
    this.heatmap.add(
      present.map((t) => footPoint(t.box)),
      dt,
    );
    this.#people = update.active.length;
    this.framesAnalysed++;
    if (this.#listeners.size) {
      const result: FrameResult = {
        frame: { index: frame.index, tS: frame.tS },
        detections,
        tracks: update.active.map((t) => ({ ...t })),
      };
      for (const listener of this.#listeners) listener(result);
    }
  }

  async #store(frame: Frame): Promise<void> {
    const dir = this.config.storeFrames!.dir;
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${this.config.id}-${String(frame.index).padStart(6, '0')}.jpg`);
    await sharp(frame.rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } })
      .jpeg({ quality: 80 })
      .toFile(file);
  }

  stats(): CameraStats {
    const sorted = [...this.#detectMs].sort((a, b) => a - b);
    return {
      cameraId: this.config.id,
      state: this.state,
      mediaTimeS: Math.round(this.#mediaTimeS * 10) / 10,
      framesAnalysed: this.framesAnalysed,
      framesDropped: this.#droppedBefore + (this.#source?.dropped ?? 0),
      people: this.#people,
      zones: this.zones.stats(),
      detectorMsP50: percentile(sorted, 0.5),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#source?.stop();
    this.#wake?.();
    await this.#run?.catch(() => undefined);
  }
}
