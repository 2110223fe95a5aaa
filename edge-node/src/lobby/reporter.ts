// Pushes the lobby's aggregates to the cloud for the ops view every
// LOBBY_REPORT_INTERVAL_MS: the snapshot (counts, dwell histograms, busyness)
// and each camera's heat map as a small PNG drawn from its grid. When a day
// closes at midnight, its summary and heat maps go once, acknowledged: kept
// and retried while the link is down, dropped once the cloud has it. This is
// all the cloud ever gets from the lobby cameras.
import { z } from 'zod';
import type { Logger } from '#common/logger';
import { ErrorBody } from '#protocol/errors';
import { LOBBY_DAY_EVENT, LobbyDayAck, type LobbyDayReport, type LobbyReport } from '#protocol/lobby';
import type { ClosedDay, LobbyService } from './LobbyService.ts';

/** delivered: the cloud acknowledged it; offline: try again later; rejected: the cloud refused it for good. */
export type DaySendResult = 'delivered' | 'offline' | { rejected: string };

export interface LobbyReporterOptions {
  lobby: LobbyService;
  activeCalls: () => number;
  maxCalls: number;
  intervalMs: number;
  /** Sends when the cloud link is up; returns false when it is not (the report is skipped, the next one is newer anyway). */
  send: (report: LobbyReport) => boolean;
  /** Sends a closed day and waits for the cloud's acknowledgement. */
  sendDay: (report: LobbyDayReport) => Promise<DaySendResult>;
  logger: Logger;
}

/** 8 px per cell: 256×192 for the default grid, a few kB — detailed enough for a dashboard tile. */
const REPORT_CELL_PX = 8;
/** Closed days kept while the cloud is unreachable; a week covers a long outage. */
const MAX_PENDING_DAYS = 7;

export class LobbyReporter {
  #timer?: NodeJS.Timeout;
  #busy = false;
  #flushing = false;
  #unsubscribe?: () => void;
  readonly #pendingDays: ClosedDay[] = [];

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

  /** A closed day as it goes to the cloud: the summary and that day's heat maps. */
  async dayReport(day: ClosedDay): Promise<LobbyDayReport> {
    const heatmaps = await Promise.all(
      this.o.lobby.cameras
        .filter((cam) => day.heatmaps.has(cam.config.id))
        .map(async (cam) => {
          const map = day.heatmaps.get(cam.config.id)!;
          return {
            cameraId: cam.config.id,
            cols: map.cols,
            rows: map.rows,
            totalS: Math.round(map.totalS * 10) / 10,
            pngBase64: (await map.png(cam.config.zones, REPORT_CELL_PX)).toString('base64'),
          };
        }),
    );
    return { summary: day.summary, heatmaps };
  }

  /** Closed days not yet acknowledged by the cloud (oldest first). */
  get pendingDays(): string[] {
    return this.#pendingDays.map((d) => d.summary.day);
  }

  start(): void {
    this.#unsubscribe ??= this.o.lobby.onDayClosed((day) => {
      this.#pendingDays.push(day);
      const dropped = this.#pendingDays.splice(0, Math.max(0, this.#pendingDays.length - MAX_PENDING_DAYS));
      if (dropped.length)
        this.o.logger.warn(
          { days: dropped.map((d) => d.summary.day) },
          'lobby day summaries dropped: the cloud was unreachable too long',
        );
      void this.flushDays();
    });
    this.#timer ??= setInterval(() => void this.#tick(), this.o.intervalMs);
    this.#timer.unref();
  }

  /** Sends the closed days the cloud has not acknowledged yet, oldest first; stops at the first that cannot go now. */
  async flushDays(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      while (this.#pendingDays.length) {
        const day = this.#pendingDays[0]!;
        const result = await this.o.sendDay(await this.dayReport(day));
        if (result === 'offline') return;
        this.#pendingDays.shift();
        if (result !== 'delivered')
          this.o.logger.error(
            { day: day.summary.day, reason: result.rejected },
            'the cloud refused a lobby day summary',
          );
      }
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message }, 'lobby day summary not sent; will retry');
    } finally {
      this.#flushing = false;
    }
  }

  async #tick(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      this.o.send(await this.report());
      await this.flushDays();
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message }, 'lobby report failed');
    } finally {
      this.#busy = false;
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }
}

const DayAck = z.union([
  z.object({ ok: z.literal(true), data: LobbyDayAck }),
  z.object({ ok: z.literal(false) }).extend(ErrorBody.shape),
]);

/** The link's side of the reporter: a socket.io client with acks (the edge's cloud link socket). */
export interface AckSocket {
  timeout(ms: number): { emitWithAck(event: string, payload: unknown): Promise<unknown> };
}

/** Sends a day report on the edge link and reads the cloud's acknowledgement. */
export async function sendDayOverLink(
  socket: AckSocket | undefined,
  online: boolean,
  report: LobbyDayReport,
): Promise<DaySendResult> {
  if (!socket || !online) return 'offline';
  let raw: unknown;
  try {
    raw = await socket.timeout(10_000).emitWithAck(LOBBY_DAY_EVENT, report);
  } catch {
    return 'offline'; // no ack in time: the link dropped; the day is sent again later
  }
  const ack = DayAck.safeParse(raw);
  if (!ack.success) return { rejected: 'malformed acknowledgement' };
  if (ack.data.ok) return 'delivered';
  // A cloud that is briefly unable (Redis down) gets the day again later.
  return ack.data.error.code === 'unavailable' || ack.data.error.code === 'internal'
    ? 'offline'
    : { rejected: `${ack.data.error.code}: ${ack.data.error.message}` };
}
