// Wires the archive into an edge: the call archive, recording of every call,
// the composite/clip renderer, retention sweeps, and — when the edge has a
// cloud — the outbox delivery and the cloud's commands. `app.ts` calls this
// once; `close()` flushes recorders before the rooms go away.
import { rm } from 'node:fs/promises';
import type { Logger } from '#common/logger';
import type { CallRegistry } from '../calls/CallRegistry.ts';
import type { CloudLink } from '../cloud-link/CloudLink.ts';
import { RecordingService } from '../recording/RecordingService.ts';
import { FfmpegRenderer } from '../recording/Renderer.ts';
import { CallArchive } from './CallArchive.ts';
import { CloudArchiveLink } from './CloudArchiveLink.ts';
import { loadArchiveConfig, type ArchiveConfig } from './config.ts';
import { RetentionSweeper } from './retention/RetentionSweeper.ts';

export interface EdgeArchive {
  config: ArchiveConfig;
  archive: CallArchive;
  recording?: RecordingService;
  sweeper: RetentionSweeper;
  link?: CloudArchiveLink;
  /** Stops recorders (flushing their segments), waits briefly for renders, closes the outbox. */
  close(): Promise<void>;
}

export async function startArchive(o: {
  edge: { edgeId: string; branchId: string; dataDir: string; archiveEnv: Record<string, string> };
  registry: CallRegistry;
  logger: Logger;
}): Promise<EdgeArchive> {
  const config = loadArchiveConfig(o.edge.archiveEnv, o.edge);
  const logger = o.logger.child({ module: 'archive' });
  const archive = await CallArchive.open(config, logger);
  archive.setRenderer(
    new FfmpegRenderer(
      {
        ffmpeg: config.recording.ffmpeg,
        spoolDir: config.recording.spoolDir,
        tile: config.recording.tile,
        fps: config.recording.fps,
        preset: config.recording.preset,
        fontFile: config.recording.fontFile,
      },
      logger,
    ),
  );
  const recording = config.recording.enabled
    ? new RecordingService({ registry: o.registry, archive, config: config.recording, logger })
    : undefined;
  await recording?.start();
  await archive.recover();
  const sweeper = new RetentionSweeper(archive, config.retention, logger);
  sweeper.start(config.sweepIntervalMs);
  const edgeArchive: EdgeArchive = {
    config,
    archive,
    recording,
    sweeper,
    async close() {
      sweeper.stop();
      await recording?.close();
      await Promise.race([archive.idle(), new Promise((r) => setTimeout(r, 30_000).unref())]);
      edgeArchive.link?.close();
      archive.close();
      await rm(config.recording.spoolDir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
  return edgeArchive;
}

/** Connects the archive to the cloud link (outbox delivery, hello, commands, reads). */
export function linkArchive(
  edgeArchive: EdgeArchive,
  cloudLink: CloudLink,
  logger: Logger,
): CloudArchiveLink {
  const link = new CloudArchiveLink(cloudLink, edgeArchive.archive, logger);
  link.attach();
  edgeArchive.link = link;
  return link;
}
