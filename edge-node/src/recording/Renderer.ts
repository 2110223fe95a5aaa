// Renders composites and clips from a call's archived segments: decrypts the
// segments it needs into a private spool directory (RAM by default), runs the
// ffmpeg command from composite.ts at low priority, encrypts the result into
// the archive and wipes the spool.
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '#common/logger';
import type { CallRecord, StoredFile } from '../archive/ArchiveStore.ts';
import type { MediaRenderer } from '../archive/CallArchive.ts';
import { decryptToFile } from '#common/archive/blob';
import { fileSafe } from '#common/archive/paths';
import { buildComposite, type CompositeTrack } from './composite.ts';
import { run } from './ffmpeg.ts';
import { trackStarts } from './timeline.ts';

export interface RendererSettings {
  ffmpeg: string;
  spoolDir: string;
  tile: { width: number; height: number };
  fps: number;
  preset: string;
  fontFile: string;
}

export class FfmpegRenderer implements MediaRenderer {
  #jobs = 0;

  constructor(
    private readonly s: RendererSettings,
    private readonly logger: Logger,
  ) {}

  async composite(record: CallRecord): Promise<StoredFile | undefined> {
    const durationMs = record.meta.durationMs ?? Date.now() - record.meta.startedAt;
    return this.#render(record, 0, durationMs / 1000, 'artifacts/composite.mp4.bea');
  }

  async clip(
    record: CallRecord,
    fromMs: number,
    toMs: number,
    relative: string,
  ): Promise<StoredFile | undefined> {
    return this.#render(record, fromMs / 1000, toMs / 1000, relative);
  }

  /** The call's tracks with their place on the timeline and their segments (not yet decrypted). */
  static tracksOf(
    record: CallRecord,
  ): (Omit<CompositeTrack, 'segments'> & { segments: { file: string; startS: number; endS: number }[] })[] {
    const timing = new Map(record.entries('timing').map((t) => [t.track, t.timing]));
    const tracks = record.entries('track').map((t) => ({ ...t, timing: timing.get(t.track) ?? t.timing }));
    const starts = trackStarts(tracks, record.meta.startedAt);
    return tracks.flatMap((t) => {
      const startMs = starts.get(t.track);
      if (startMs === undefined) return [];
      const segments = record
        .entries('segment')
        .filter((s) => s.track === t.track)
        .sort((a, b) => a.startS - b.startS)
        .map((s) => ({ file: s.file, startS: s.startS, endS: s.endS }));
      return [
        {
          track: t.track,
          participantId: t.participantId,
          role: t.role,
          kind: t.kind,
          source: t.source,
          startS: startMs / 1000,
          segments,
        },
      ];
    });
  }

  async #render(
    record: CallRecord,
    fromS: number,
    toS: number,
    relative: string,
  ): Promise<StoredFile | undefined> {
    const planned = FfmpegRenderer.tracksOf(record)
      .map((t) => ({
        ...t,
        segments: t.segments.filter((s) => t.startS + s.endS > fromS && t.startS + s.startS < toS),
      }))
      .filter((t) => t.segments.length > 0);
    if (planned.length === 0) {
      this.logger.warn(
        { callId: record.callId, fromS, toS },
        'nothing recorded in this window; no rendition',
      );
      return undefined;
    }
    const workDir = path.join(
      this.s.spoolDir,
      'render',
      `${fileSafe(record.callId)}-${process.pid}-${this.#jobs++}`,
    );
    await mkdir(workDir, { recursive: true, mode: 0o700 });
    try {
      const dk = await record.dataKey();
      const tracks: CompositeTrack[] = [];
      for (const [i, t] of planned.entries()) {
        const segments = [];
        for (const [j, s] of t.segments.entries()) {
          const plain = path.join(workDir, `t${i}-s${j}${path.extname(s.file.replace(/\.bea$/, ''))}`);
          await decryptToFile(record.absolute(s.file), dk, plain);
          segments.push({ path: plain, startS: s.startS, endS: s.endS });
        }
        tracks.push({ ...t, segments });
      }
      const output = path.join(workDir, 'out.mp4');
      const plan = buildComposite(
        {
          callId: record.callId,
          callStartedAt: record.meta.startedAt,
          fromS,
          toS,
          tile: this.s.tile,
          fps: this.s.fps,
          preset: this.s.preset,
          ...(existsSync(this.s.fontFile) ? { fontFile: this.s.fontFile } : {}),
          output,
          workDir,
        },
        tracks,
      );
      for (const f of plan.files) await writeFile(f.path, f.content, { mode: 0o600 });
      const started = Date.now();
      await run(this.s.ffmpeg, plan.args, { nice: true, timeoutMs: Math.max(120_000, (toS - fromS) * 4000) });
      this.logger.info(
        { callId: record.callId, fromS, toS, tracks: tracks.length, ms: Date.now() - started },
        'rendition made',
      );
      return await record.putFile(relative, output);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }
}
