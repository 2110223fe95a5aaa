// Pushes the lobby's aggregates to the cloud for the ops view every
// LOBBY_REPORT_INTERVAL_MS: the snapshot (counts, dwell histograms, busyness)
// and each camera's heat map as a small PNG drawn from its grid. This is all
// the cloud ever gets from the lobby cameras.
import type { Logger } from '#common/logger';
import type { LobbyReport } from '#protocol/lobby';
import type { LobbyService } from './LobbyService.ts';

export interface LobbyReporterOptions {
  lobby: LobbyService;
  activeCalls: () => number;
  maxCalls: number;
  intervalMs: number;
  /** Sends when the cloud link is up; returns false when it is not (the report is skipped, the next one is newer anyway). */
  send: (report: LobbyReport) => boolean;
  logger: Logger;
}

/** 8 px per cell: 256×192 for the default grid, a few kB — detailed enough for a dashboard tile. */
const REPORT_CELL_PX = 8;

export class LobbyReporter {
  #timer?: NodeJS.Timeout;
  #busy = false;

  constructor(private readonly o: LobbyReporterOptions) {}

  async report(): Promise<LobbyReport> {
    const { lobby } = this.o;
    const heatmaps = await Promise.all(
      lobby.cameras.map(async (cam) => ({
        cameraId: cam.config.id,
        cols: cam.heatmap.cols,
        rows: cam.heatmap.rows,
        totalS: Math.round(cam.heatmap.totalS * 10) / 10,
        pngBase64: (await cam.heatmap.png(cam.config.zones, REPORT_CELL_PX)).toString('base64'),
      })),
    );
    return { snapshot: lobby.snapshot(this.o.activeCalls(), this.o.maxCalls), heatmaps };
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.#tick(), this.o.intervalMs);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      this.o.send(await this.report());
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message }, 'lobby report failed');
    } finally {
      this.#busy = false;
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
