// Pushes the lobby's aggregates to the cloud for the ops view every
// LOBBY_REPORT_INTERVAL_MS: the snapshot (counts, dwell histograms, busyness)
// and each camera's heat map as a small PNG drawn from its grid. When a day
// closes at midnight, its summary and heat maps go once, acknowledged: kept
// and retried while the link is down (on disk, with a `pendingDir`, so a
// restart does not lose them), dropped once the cloud has it. This is all the
// cloud ever gets from the lobby cameras.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomically } from '#common/files';
import type { Logger } from '#common/logger';
import { ErrorBody } from '#protocol/errors';
import { LOBBY_DAY_EVENT, LobbyDayAck, LobbyDayReport, type LobbyReport } from '#protocol/lobby';
import { setAside } from './dayState.ts';
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
  /** Where closed days wait for the cloud's acknowledgement (one JSON file each); none: in memory only. */
  pendingDir?: string;
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
  /** Built once when the day closes (its heat maps drawn then), oldest first. */
  readonly #pendingDays: PendingDay[] = [];

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
    return this.#pendingDays.map((d) => d.day);
  }

  start(): void {
    if (!this.#unsubscribe) {
      this.#loadPending();
      this.#unsubscribe = this.o.lobby.onDayClosed((day) => this.#enqueue(day));
      // A day closed before this reporter started (e.g. one restored at start-up and closed
      // at once): the cloud stores days idempotently, so sending it again is harmless.
      const previous = this.o.lobby.previous;
      if (previous && !this.pendingDays.includes(previous.summary.day)) this.#enqueue(previous);
    }
    this.#timer ??= setInterval(() => void this.#tick(), this.o.intervalMs);
    this.#timer.unref();
  }

  /** Queues a closed day at once (its report, heat maps drawn, follows) and tries to send it. */
  #enqueue(closed: ClosedDay): void {
    const day = closed.summary.day;
    const report = this.dayReport(closed).then((r) => {
      if (this.o.pendingDir) writeFileAtomically(this.#pendingFile(day), JSON.stringify(r));
      return r;
    });
    this.#pendingDays.push({ day, report });
    const dropped = this.#pendingDays.splice(0, Math.max(0, this.#pendingDays.length - MAX_PENDING_DAYS));
    for (const d of dropped) void d.report.finally(() => this.#forget(d.day)).catch(() => undefined);
    if (dropped.length)
      this.o.logger.warn(
        { days: dropped.map((d) => d.day) },
        'lobby day summaries dropped: the cloud was unreachable too long',
      );
    void this.flushDays();
  }

  #pendingFile(day: string): string {
    return path.join(this.o.pendingDir!, `${day}.json`);
  }

  /** A day the cloud has (or refused for good, or that was dropped): no longer kept. */
  #forget(day: string): void {
    if (this.o.pendingDir) rmSync(this.#pendingFile(day), { force: true });
  }

  /** Days left waiting by an earlier run of the edge; a file that does not parse is set aside. */
  #loadPending(): void {
    const dir = this.o.pendingDir;
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(dir)
      .filter((f) => /^\d{4}-\d{2}-\d{2}\.json$/.test(f))
      .sort()) {
      const file = path.join(dir, name);
      try {
        const report = LobbyDayReport.parse(JSON.parse(readFileSync(file, 'utf8')));
        this.#pendingDays.push({ day: report.summary.day, report: Promise.resolve(report) });
      } catch (err) {
        setAside(file, (err as Error).message, 'pending lobby day unreadable; not sent', this.o.logger);
      }
    }
    if (this.#pendingDays.length)
      this.o.logger.info({ days: this.pendingDays }, 'lobby days still to send to the cloud');
  }

  /** Sends the closed days the cloud has not acknowledged yet, oldest first; stops at the first that cannot go now. */
  async flushDays(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      while (this.#pendingDays.length) {
        const pending = this.#pendingDays[0]!;
        const day = await pending.report.catch((err: Error) => {
          this.o.logger.error({ err, day: pending.day }, 'lobby day summary could not be drawn up; not sent');
          return undefined;
        });
        if (!day) {
          this.#pendingDays.shift();
          continue;
        }
        const result = await this.o.sendDay(day);
        if (result === 'offline') return;
        this.#pendingDays.shift();
        this.#forget(pending.day);
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

interface PendingDay {
  day: string;
  /** The report as sent; written to `pendingDir` once drawn up. */
  report: Promise<LobbyDayReport>;
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
