// After an edge process died (kill -9, power cut with a persistent spool), its
// recorders' ffmpeg processes may still be running (they end by themselves
// INPUT_TIMEOUT_S after the edge's keepalive stopped) and its spool still holds
// segments that never reached the archive. On start, before anything else records: every
// recorder of a dead edge process is ended with an RTCP BYE (it closes its
// segment and list like at the end of a file; SIGKILL if it does not), then its
// finished segments are archived, the one in progress is salvaged, and the
// spool is removed. What the dead process had already archived is not repeated.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '#common/logger';
import type { CallArchive } from '../archive/CallArchive.ts';
import { fileSafe } from '#common/archive/paths';
import { salvageSegment } from './ffmpeg.ts';
import { sendRtcpBye } from './rtcp.ts';
import { processAlive } from '#common/processes';

function subdirs(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && d.name !== 'render')
        .map((d) => d.name)
    : [];
}

/** Processes whose command line mentions `marker`. */
function processesMentioning(marker: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export const SPOOL_OWNER_FILE = 'owner.pid';

/**
 * Spool directories left by dead processes of this edge: default-named siblings
 * (`branchedge-<edge>-<pid>[-n]`) whose process is gone, and the spool itself when
 * its owner file names a dead process (a configured, fixed RECORDING_SPOOL_DIR).
 */
export function staleSpools(spoolDir: string, edgeId: string): string[] {
  const parent = path.dirname(spoolDir);
  const pattern = new RegExp(`^branchedge-${edgeId.replace(/[^A-Za-z0-9_-]/g, '.')}-(\\d+)(?:-\\d+)?$`);
  const out: string[] = [];
  if (existsSync(parent)) {
    for (const name of readdirSync(parent)) {
      const m = pattern.exec(name);
      const full = path.join(parent, name);
      if (m && full !== spoolDir && !processAlive(Number(m[1]))) out.push(full);
    }
  }
  const owner = path.join(spoolDir, SPOOL_OWNER_FILE);
  if (existsSync(owner)) {
    const pid = Number(readFileSync(owner, 'utf8').trim());
    if (pid !== process.pid && !processAlive(pid)) out.push(spoolDir);
  }
  return out;
}

export interface SpoolRecoveryResult {
  stoppedRecorders: number;
  segments: number;
  salvaged: number;
}

export async function recoverSpools(o: {
  spoolDir: string;
  edgeId: string;
  archive: CallArchive;
  ffmpeg: string;
  ffprobe: string;
  logger: Logger;
}): Promise<SpoolRecoveryResult> {
  const result: SpoolRecoveryResult = { stoppedRecorders: 0, segments: 0, salvaged: 0 };
  const byDir = new Map(o.archive.store.callIds().map((id) => [fileSafe(id), id]));
  for (const spool of staleSpools(o.spoolDir, o.edgeId)) {
    // 1. end the dead edge's recorders the gentle way, then the hard way
    const pids = processesMentioning(`${spool}/`);
    for (const callDir of subdirs(spool)) {
      const full = path.join(spool, callDir);
      for (const track of subdirs(full)) {
        const sdp = path.join(full, track, 'in.sdp');
        const port = existsSync(sdp)
          ? /m=(?:audio|video) (\d+)/.exec(readFileSync(sdp, 'utf8'))?.[1]
          : undefined;
        if (port) await sendRtcpBye(Number(port) + 1, 0);
      }
    }
    const deadline = Date.now() + 3000;
    while (pids.some(processAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const pid of pids.filter(processAlive)) process.kill(pid, 'SIGKILL');
    result.stoppedRecorders += pids.length;

    // 2. archive what they finished, salvage what they were writing
    for (const callDir of subdirs(spool)) {
      const callId = byDir.get(callDir);
      const full = path.join(spool, callDir);
      if (!callId) continue;
      const record = o.archive.store.get(callId)!;
      for (const track of subdirs(full)) {
        const dir = path.join(full, track);
        const list = path.join(dir, 'segments.csv');
        if (!existsSync(list)) continue;
        const done = record.entries('segment').filter((s) => s.track === track).length;
        const lines = readFileSync(list, 'utf8')
          .split('\n')
          .filter((l) => l.trim());
        for (const [index, line] of lines.entries()) {
          const [name, start, end] = line.split(',');
          const file = path.join(dir, name!);
          if (index < done || !existsSync(file)) continue;
          await o.archive.addSegment(callId, {
            track,
            index,
            spoolFile: file,
            startS: Number(start),
            endS: Number(end),
          });
          result.segments++;
        }
        const partial = readdirSync(dir).find((n) =>
          n.startsWith(`seg-${String(lines.length).padStart(5, '0')}.`),
        );
        if (partial) {
          const fixed = path.join(dir, `salvaged${path.extname(partial)}`);
          try {
            const info = await salvageSegment(o, path.join(dir, partial), fixed);
            if (info) {
              await o.archive.addSegment(callId, {
                track,
                index: lines.length,
                spoolFile: fixed,
                startS: info.start,
                endS: info.start + info.duration,
                salvaged: true,
              });
              result.salvaged++;
            }
          } catch (err) {
            o.logger.warn(
              { err: (err as Error).message, track },
              'a dead recorder’s last segment could not be salvaged',
            );
          }
        }
      }
    }
    await rm(spool, { recursive: true, force: true });
  }
  if (result.stoppedRecorders || result.segments || result.salvaged)
    o.logger.warn(result, 'recovered the spool of a previous edge process');
  return result;
}
